//! The left navigation: the app's name and one entry per page.

use yew::prelude::*;

use crate::route::Route;

#[derive(Properties, PartialEq)]
pub(crate) struct SidebarProps {
    pub(crate) current: Route,
    pub(crate) on_navigate: Callback<Route>,
}

#[component]
pub(crate) fn Sidebar(props: &SidebarProps) -> Html {
    let entries = Route::ALL.iter().map(|route| {
        let route = *route;
        let onclick = props.on_navigate.reform(move |_: MouseEvent| route);
        let class = classes!("nav-item", (route == props.current).then_some("active"));
        html! {
            <li>
                <button type="button" {class} {onclick} data-testid={format!("nav-{}", route.slug())}>
                    { route.label() }
                </button>
            </li>
        }
    });
    html! {
        <nav class="sidebar" aria-label="Main">
            <div class="brand">
                <span class="brand-mark" aria-hidden="true">{ "F" }</span>
                <span class="brand-name" data-testid="app-name">{ "Field CRM" }</span>
            </div>
            <ul class="nav">{ for entries }</ul>
            <div class="sidebar-footer">{ "Local store · offline ready" }</div>
        </nav>
    }
}
