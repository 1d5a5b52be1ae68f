//! Guards on `ui/style.css` for what the UI bench found costly to paint on a machine without a
//! GPU (BENCHMARKS.md, "Blurred shadows"): WebKit paints a blur on the CPU, over the whole box,
//! each time any part of it is repainted. Search went from 26 to 98 ms with 2 px card shadows.

const STYLE: &str = include_str!("../style.css");

/// `property: value` pairs of the style sheet, comments removed.
fn declarations(css: &str) -> Vec<(String, String)> {
    let mut text = String::with_capacity(css.len());
    let mut rest = css;
    while let Some(start) = rest.find("/*") {
        text.push_str(&rest[..start]);
        rest = rest[start..]
            .find("*/")
            .map_or("", |end| &rest[start + end + 2..]);
    }
    text.push_str(rest);
    text.split(['{', '}', ';'])
        .filter_map(|part| part.split_once(':'))
        .map(|(property, value)| (property.trim().to_lowercase(), value.trim().to_owned()))
        // A selector with a pseudo-class also has a colon; its "property" has spaces or dots.
        .filter(|(property, _)| {
            !property.is_empty()
                && property
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
        .collect()
}

/// The layers of a shadow value, split at the commas outside parentheses.
fn layers(value: &str) -> Vec<String> {
    let mut layers = vec![String::new()];
    let mut depth = 0_u32;
    for c in value.chars() {
        match c {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            ',' if depth == 0 => {
                layers.push(String::new());
                continue;
            }
            _ => {}
        }
        if let Some(layer) = layers.last_mut() {
            layer.push(c);
        }
    }
    layers
}

/// A shadow layer's blur radius: its third length (`x y blur spread color`), if any.
fn blur_radius(layer: &str) -> Option<String> {
    let mut depth = 0_u32;
    let mut words = Vec::new();
    let mut word = String::new();
    for c in layer.chars() {
        match c {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            _ => {}
        }
        if c.is_whitespace() && depth == 0 {
            words.push(std::mem::take(&mut word));
        } else {
            word.push(c);
        }
    }
    words.push(word);
    words
        .into_iter()
        .filter(|word| word.starts_with(|c: char| c.is_ascii_digit() || c == '-' || c == '.'))
        .nth(2)
}

fn is_zero(length: &str) -> bool {
    length
        .trim_end_matches(|c: char| c.is_ascii_alphabetic())
        .parse::<f64>()
        .is_ok_and(|number| number == 0.0)
}

/// Every shadow in the style sheet whose blur radius is not zero.
fn blurred_shadows(css: &str) -> Vec<String> {
    declarations(css)
        .into_iter()
        .filter(|(property, _)| property.ends_with("shadow") || property.starts_with("--shadow"))
        .flat_map(|(property, value)| {
            layers(&value)
                .into_iter()
                .filter(|layer| blur_radius(layer).is_some_and(|blur| !is_zero(&blur)))
                .map(move |layer| format!("{property}: {}", layer.trim()))
        })
        .collect()
}

#[test]
fn no_shadow_is_blurred() {
    assert_eq!(
        blurred_shadows(STYLE),
        Vec::<String>::new(),
        "a blurred shadow is repainted with a CPU blur of its whole box"
    );
}

#[test]
fn nothing_is_blurred_by_a_filter() {
    for (property, value) in declarations(STYLE) {
        assert!(
            !(property.ends_with("filter")
                && (value.contains("blur(") || value.contains("drop-shadow("))),
            "{property}: {value} blurs on the CPU at every repaint"
        );
    }
}

#[test]
fn the_guard_finds_blurred_shadows() {
    let css = "/* box-shadow: 0 0 9px red */
        :root { --shadow: 0 1px 0 rgba(0, 0, 0, 0.1); --shadow-soft: 0 1px 2px rgba(0, 0, 0, 0.1); }
        .card:hover { box-shadow: var(--shadow), inset 0 0 0 1px #ccc; }
        .toast { box-shadow: 0 4px 0 #000, 0 8px 16px -4px rgb(0 0 0 / 20%); }
        .title { text-shadow: 1px 1px 0.5px black; }
        .plain { box-shadow: none; }";
    assert_eq!(
        blurred_shadows(css),
        [
            "--shadow-soft: 0 1px 2px rgba(0, 0, 0, 0.1)",
            "box-shadow: 0 8px 16px -4px rgb(0 0 0 / 20%)",
            "text-shadow: 1px 1px 0.5px black",
        ]
    );
}
