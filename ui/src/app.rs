//! The application shell: a sidebar with the app's name and navigation, and the current page.

use yew::prelude::*;

use crate::components::Sidebar;
use crate::route::{Route, switch};

#[component]
pub(crate) fn App() -> Html {
    let route = use_state(|| Route::Customers);
    let on_navigate = {
        let route = route.clone();
        Callback::from(move |next: Route| route.set(next))
    };
    html! {
        <div class="app-shell">
            <Sidebar current={*route} {on_navigate} />
            <main class="page" data-testid="page">
                { switch(*route) }
            </main>
        </div>
    }
}
