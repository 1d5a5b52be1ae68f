//! Previous / next page buttons with "Page N of M" between them.

use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub(crate) struct PagerProps {
    pub(crate) page: u32,
    pub(crate) pages: u64,
    pub(crate) on_page: Callback<u32>,
    /// Prefix of the buttons' test ids.
    pub(crate) name: AttrValue,
}

#[component]
pub(crate) fn Pager(props: &PagerProps) -> Html {
    let pages = props.pages.max(1);
    let page = props.page;
    let go = |target: u32| props.on_page.reform(move |_: MouseEvent| target.max(1));
    html! {
        <nav class="pager" aria-label="Pages">
            <button type="button" class="button" disabled={page <= 1} onclick={go(page.saturating_sub(1))}
                data-testid={format!("{}-previous", props.name)}>{ "← Previous" }</button>
            <span class="muted" data-testid={format!("{}-page", props.name)}>{ format!("Page {page} of {pages}") }</span>
            <button type="button" class="button" disabled={u64::from(page) >= pages} onclick={go(page + 1)}
                data-testid={format!("{}-next", props.name)}>{ "Next →" }</button>
        </nav>
    }
}

/// Select options for a closed set, with an "any" choice first.
pub(crate) fn choices<T: Copy>(
    all: &[T],
    value: impl Fn(T) -> &'static str,
    label: impl Fn(T) -> &'static str,
    any: &'static str,
) -> Vec<(AttrValue, AttrValue)> {
    std::iter::once((AttrValue::from(""), AttrValue::from(any)))
        .chain(
            all.iter()
                .map(|item| (AttrValue::from(value(*item)), AttrValue::from(label(*item)))),
        )
        .collect()
}
