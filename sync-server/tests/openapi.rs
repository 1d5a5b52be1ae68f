//! `openapi.yaml` describes every route of `src/router.rs`, and nothing that does not exist.

use std::collections::BTreeSet;

const ROUTER: &str = include_str!("../src/router.rs");
const OPENAPI: &str = include_str!("../openapi.yaml");

/// The paths the router serves: `.route("PATH", …)`; those of the first table (`let v1 =
/// Router::new()…`) are nested under `/v1`, those of the outer `Router::new()` are not.
fn router_paths() -> BTreeSet<String> {
    let mut prefix = "/v1";
    let mut paths = BTreeSet::new();
    for line in ROUTER.lines() {
        let line = line.trim();
        if line.starts_with("Router::new()") {
            prefix = "";
        }
        let Some(rest) = line
            .strip_prefix(".route(\"")
            .or_else(|| line.strip_prefix("\"/"))
        else {
            continue;
        };
        let path = rest.split('"').next().unwrap_or_default();
        let path = if path.starts_with('/') {
            path.to_owned()
        } else {
            format!("/{path}")
        };
        paths.insert(format!("{prefix}{path}"));
    }
    paths
}

/// The paths `openapi.yaml` documents: keys indented by two spaces under `paths:`.
fn documented_paths() -> BTreeSet<String> {
    let start = OPENAPI.find("\npaths:\n").expect("a paths section");
    OPENAPI[start..]
        .lines()
        .filter(|line| line.starts_with("  /"))
        .map(|line| line.trim().trim_end_matches(':').to_owned())
        .collect()
}

#[test]
fn every_route_is_documented() {
    let routes = router_paths();
    assert!(
        routes.contains("/v1/push") && routes.contains("/healthz"),
        "{routes:?}"
    );
    assert_eq!(routes, documented_paths());
}
