//! Charts drawn as SVG by the UI itself: a sales funnel, grouped bars, and a horizontal meter.
//! Colours come from the stylesheet's variables, so both themes read well; sizes are SVG
//! attributes (the app's content security policy allows no inline styles).

use yew::prelude::*;

/// `value / max` scaled to `length`, never negative, at least a sliver when `value > 0`.
pub(crate) fn scaled(value: f64, max: f64, length: f64) -> f64 {
    if max <= 0.0 || value <= 0.0 {
        return 0.0;
    }
    (value / max * length).clamp(2.0, length)
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) struct FunnelStep {
    pub(crate) label: String,
    pub(crate) value: f64,
    /// Shown at the end of the bar, e.g. "12 · $250K".
    pub(crate) caption: String,
}

#[derive(Properties, PartialEq)]
pub(crate) struct FunnelChartProps {
    pub(crate) steps: Vec<FunnelStep>,
    pub(crate) title: AttrValue,
}

const FUNNEL_WIDTH: f64 = 460.0;
const LABEL_WIDTH: f64 = 120.0;
const ROW: f64 = 34.0;

/// Centred bars, widest first: the classic funnel, one row per stage.
#[component]
pub(crate) fn FunnelChart(props: &FunnelChartProps) -> Html {
    let max = props
        .steps
        .iter()
        .map(|step| step.value)
        .fold(0.0, f64::max);
    let track = FUNNEL_WIDTH - LABEL_WIDTH - 90.0;
    let height = ROW * props.steps.len().max(1) as f64;
    let rows = props.steps.iter().enumerate().map(|(index, step)| {
        let width = scaled(step.value, max, track);
        let y = index as f64 * ROW;
        let x = LABEL_WIDTH + (track - width) / 2.0;
        html! {
            <g class={format!("funnel-row series-{}", index % 6)}>
                <text x="0" y={(y + ROW / 2.0 + 4.0).to_string()} class="chart-label">{ step.label.clone() }</text>
                <rect x={x.to_string()} y={(y + 4.0).to_string()} width={width.to_string()}
                    height={(ROW - 8.0).to_string()} rx="4" class="chart-bar" />
                <text x={(LABEL_WIDTH + track + 8.0).to_string()} y={(y + ROW / 2.0 + 4.0).to_string()}
                    class="chart-value">{ step.caption.clone() }</text>
            </g>
        }
    });
    html! {
        <svg class="chart funnel-chart" viewBox={format!("0 0 {FUNNEL_WIDTH} {height}")}
            role="img" aria-label={props.title.clone()} data-testid="funnel-chart">
            <title>{ props.title.clone() }</title>
            { for rows }
        </svg>
    }
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) struct BarGroup {
    pub(crate) label: String,
    /// One value per series, in the order of [`BarChartProps::series`].
    pub(crate) values: Vec<f64>,
    pub(crate) caption: String,
}

#[derive(Properties, PartialEq)]
pub(crate) struct BarChartProps {
    pub(crate) groups: Vec<BarGroup>,
    pub(crate) series: Vec<AttrValue>,
    pub(crate) title: AttrValue,
    /// Drawn at its own size (shrunk to fit, never stretched): for wide pages, where a
    /// stretched chart would blow its text up.
    #[prop_or_default]
    pub(crate) natural: bool,
}

/// A bar's label, cut to fit under its bar.
pub(crate) fn short_label(label: &str) -> String {
    const MAX: usize = 10;
    if label.chars().count() <= MAX {
        label.to_owned()
    } else {
        let cut: String = label.chars().take(MAX - 1).collect();
        format!("{}…", cut.trim_end())
    }
}

const BAR_HEIGHT: f64 = 170.0;
const BAR_TOP: f64 = 18.0;
const BAR_BOTTOM: f64 = 26.0;

/// Vertical bars grouped by label (e.g. month), one bar per series, with a legend.
#[component]
pub(crate) fn BarChart(props: &BarChartProps) -> Html {
    let max = props
        .groups
        .iter()
        .flat_map(|group| group.values.iter().copied())
        .fold(0.0, f64::max);
    let slot = 64.0;
    let width = (slot * props.groups.len().max(1) as f64).max(320.0);
    let plot = BAR_HEIGHT - BAR_TOP - BAR_BOTTOM;
    let series_count = props.series.len().max(1) as f64;
    let bar_width = (slot - 16.0) / series_count;
    let groups = props.groups.iter().enumerate().map(|(index, group)| {
        let x0 = index as f64 * slot + 8.0;
        let bars = group.values.iter().enumerate().map(|(series, value)| {
            let height = scaled(*value, max, plot);
            html! {
                <rect class={format!("chart-bar series-{series}")} rx="3"
                    x={(x0 + series as f64 * bar_width).to_string()}
                    y={(BAR_TOP + plot - height).to_string()}
                    width={(bar_width - 2.0).to_string()} height={height.to_string()} />
            }
        });
        html! {
            <g class="bar-group">
                { for bars }
                <text class="chart-value" text-anchor="middle" x={(x0 + (slot - 16.0) / 2.0).to_string()}
                    y={(BAR_TOP + plot - scaled(group.values.first().copied().unwrap_or(0.0), max, plot) - 4.0).to_string()}>
                    { group.caption.clone() }
                </text>
                <text class="chart-label" text-anchor="middle" x={(x0 + (slot - 16.0) / 2.0).to_string()}
                    y={(BAR_HEIGHT - 8.0).to_string()}>
                    <title>{ group.label.clone() }</title>
                    { short_label(&group.label) }
                </text>
            </g>
        }
    });
    let legend = props.series.iter().enumerate().map(|(series, name)| {
        html! {
            <span class="legend-item">
                <svg width="10" height="10" aria-hidden="true"><rect width="10" height="10" rx="2" class={format!("chart-bar series-{series}")} /></svg>
                { name.clone() }
            </span>
        }
    });
    html! {
        <figure class="chart-figure">
            <svg class={classes!("chart", "bar-chart", props.natural.then_some("natural"))}
                viewBox={format!("0 0 {width} {BAR_HEIGHT}")} width={width.to_string()}
                role="img" aria-label={props.title.clone()} data-testid="bar-chart">
                <title>{ props.title.clone() }</title>
                <line class="chart-axis" x1="0" x2={width.to_string()}
                    y1={(BAR_TOP + plot).to_string()} y2={(BAR_TOP + plot).to_string()} />
                { for groups }
            </svg>
            <figcaption class="legend">{ for legend }</figcaption>
        </figure>
    }
}

#[derive(Properties, PartialEq)]
pub(crate) struct MeterProps {
    pub(crate) label: AttrValue,
    pub(crate) value: i64,
    pub(crate) max: i64,
}

/// A labelled horizontal bar: "Engagement 16/20".
#[component]
pub(crate) fn Meter(props: &MeterProps) -> Html {
    let width = scaled(props.value as f64, props.max as f64, 200.0);
    let percent = if props.max > 0 {
        (props.value * 100 / props.max).clamp(0, 100)
    } else {
        0
    };
    html! {
        <div class="meter" role="meter" aria-label={props.label.clone()}
            aria-valuenow={props.value.to_string()} aria-valuemin="0" aria-valuemax={props.max.to_string()}>
            <span class="meter-label">{ props.label.clone() }</span>
            <svg class="meter-bar" viewBox="0 0 200 10" preserveAspectRatio="none" aria-hidden="true">
                <rect class="meter-track" x="0" y="0" width="200" height="10" rx="5" />
                <rect class="meter-fill" x="0" y="0" width={width.to_string()} height="10" rx="5" />
            </svg>
            <span class="meter-value">{ format!("{}/{} · {percent}%", props.value, props.max) }</span>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_labels_are_cut_with_an_ellipsis() {
        assert_eq!(short_label("Timing"), "Timing");
        assert_eq!(short_label("Competition"), "Competiti…");
        assert_eq!(short_label("Lost to a rival"), "Lost to a…");
    }

    #[test]
    fn bars_scale_to_the_largest_and_stay_visible() {
        let cases = [
            (50.0, 100.0, 200.0, 100.0),
            (100.0, 100.0, 200.0, 200.0),
            (0.0, 100.0, 200.0, 0.0),
            (0.1, 100.0, 200.0, 2.0),
            (5.0, 0.0, 200.0, 0.0),
            (150.0, 100.0, 200.0, 200.0),
        ];
        for (value, max, length, expected) in cases {
            assert!(
                (scaled(value, max, length) - expected).abs() < 1e-9,
                "{value}/{max} of {length}"
            );
        }
    }
}
