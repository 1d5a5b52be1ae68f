//! `GET /healthz`: the process is up and answering (for load balancers and scripts).

pub(crate) async fn get() -> &'static str {
    "ok"
}
