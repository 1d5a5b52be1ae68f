//! The title bar at the top of every page.

use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub(crate) struct PageHeaderProps {
    pub(crate) title: AttrValue,
    #[prop_or_default]
    pub(crate) subtitle: Option<AttrValue>,
}

#[component]
pub(crate) fn PageHeader(props: &PageHeaderProps) -> Html {
    html! {
        <header class="page-header">
            <h1 data-testid="page-title">{ props.title.clone() }</h1>
            if let Some(subtitle) = &props.subtitle {
                <p class="page-subtitle" data-testid="page-subtitle">{ subtitle.clone() }</p>
            }
        </header>
    }
}
