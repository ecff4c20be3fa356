//! The sequence diagram: lane headers with flow-state chips, and a scrolling
//! SVG body where only the arrows inside the viewport exist in the DOM.

use leptos::html;
use leptos::prelude::*;

use crate::i18n::{td_string, Locale};

use super::geometry::{
    self, arrow_shape, note_shape_in, ArrowShape, Viewport, CROSS, GUTTER, HEADER, WIDTH,
};
use super::layout::Layout;
use super::model::{FlowChip, Lane};
use super::words;

/// Stage-time window `(top, bottom)` assumed before the viewport is measured.
const FIRST_WINDOW: (f64, f64) = (0.0, 20_000.0);

/// Publisher / Broker / Subscriber lanes with every packet as an arrow.
#[component]
pub fn SequenceDiagram(
    /// The events placed in stage time.
    #[prop(into)]
    layout: Signal<Layout>,
    /// Playhead, stage milliseconds.
    #[prop(into)]
    t: Signal<f64>,
    /// Index of the arrow shown in the inspector; clicking an arrow sets it.
    selected: RwSignal<Option<usize>>,
    /// Keep the playhead in view while it moves.
    #[prop(into, default = Signal::stored(true))]
    follow: Signal<bool>,
) -> impl IntoView {
    let locale = words::locale();
    let scroller: NodeRef<html::Div> = NodeRef::new();
    let window = RwSignal::new(FIRST_WINDOW);
    let viewport = move || scroller.get_untracked().map(|el| Viewport::of(&el));
    let measure = move || {
        if let Some(v) = viewport() {
            window.set(v.stage_window());
        }
    };
    let resized = window_event_listener(leptos::ev::resize, move |_| measure());
    on_cleanup(move || resized.remove());
    Effect::new(move |_| {
        let y = geometry::y_of(t.get());
        let Some(el) = scroller.get() else { return };
        if follow.get() {
            if let Some(scroll_top) = Viewport::of(&el).follow(y) {
                el.set_scroll_top(scroll_top as i32);
            }
        }
        measure();
    });
    let rows = Memo::new(move |_| {
        let (top, bottom) = window.get();
        let t = t.get();
        layout.with(|l| {
            l.visible_in(t, top, bottom)
                .iter()
                .map(|v| (v.index, v.placed.start.to_bits()))
                .collect::<Vec<_>>()
        })
    });
    let body_height = move || layout.with(|l| geometry::height(l.end));
    view! {
        <div class="vis-diagram">
            <div class="vis-scroll" node_ref=scroller on:scroll=move |_| measure()>
                <LaneHeaders layout t locale/>
                <svg
                    class="vis-body"
                    role="img"
                    aria-label=move || td_string!(locale.get(), visualiser.diagram.label)
                    viewBox=move || format!("0 0 {WIDTH} {}", body_height())
                    preserveAspectRatio="xMidYMin meet"
                    style:aspect-ratio=move || format!("{WIDTH} / {}", body_height())
                >
                    <LifeLines height=Signal::derive(body_height)/>
                    // Under the notes and arrows: their halos keep text readable where it passes.
                    <line
                        class="vis-playhead"
                        x1=GUTTER
                        x2=WIDTH
                        y1=move || geometry::y_of(t.get())
                        y2=move || geometry::y_of(t.get())
                    />
                    <Gutter layout t locale/>
                    <Notes layout t window locale/>
                    <For
                        each=move || rows.get()
                        key=|row| *row
                        children=move |(index, _)| view! { <ArrowView layout t index selected locale/> }
                    />
                </svg>
            </div>
        </div>
    }
}

/// Lane titles and, under each, the open QoS flows at the playhead.
#[component]
fn LaneHeaders(layout: Signal<Layout>, t: Signal<f64>, locale: Signal<Locale>) -> impl IntoView {
    let chips = Memo::new(move |_| layout.with(|l| l.flow_chips_at(t.get())));
    let lane_view = move |lane: Lane| {
        let x = geometry::lane_x(lane);
        let lane_chips = move || chips.with(|c| c.get(&lane).cloned().unwrap_or_default());
        view! {
            <g class="vis-lane-head">
                <text class="vis-lane-title" x=x y=44>{move || lane.title_in(locale.get())}</text>
                {move || {
                    let chips = lane_chips();
                    let total = chips.len();
                    let locale = locale.get();
                    chips.into_iter().enumerate().map(|(i, chip)| chip_view(x, i, total, chip, locale)).collect_view()
                }}
            </g>
        }
    };
    view! {
        <svg class="vis-header" viewBox=format!("0 0 {WIDTH} {HEADER}") preserveAspectRatio="xMidYMin meet">
            {Lane::ALL.map(lane_view)}
        </svg>
    }
}

/// Chips stacked under a lane title: two fit; a third says how many more.
fn chip_view(x: f64, i: usize, total: usize, chip: FlowChip, locale: Locale) -> impl IntoView {
    let y = 58.0 + 28.0 * i as f64;
    let text = match i {
        0 => chip.text_in(locale),
        1 if total == 2 => chip.text_in(locale),
        1 => td_string!(locale, visualiser.diagram.more_flows, count = total - 1).to_string(),
        _ => return None,
    };
    let class = format!("vis-chip qos{}", chip.qos.as_u8());
    Some(view! {
        <g class=class>
            <rect x=x - 170.0 y=y width=340 height=25 rx=12/>
            <text x=x y=y + 18.5>{text}</text>
        </g>
    })
}

/// Dashed life line under each lane.
#[component]
fn LifeLines(height: Signal<f64>) -> impl IntoView {
    Lane::ALL.map(|lane| {
        let x = geometry::lane_x(lane);
        view! { <line class="vis-lifeline" x1=x x2=x y1=0 y2=height/> }
    })
}

/// Left gutter: step markers and compressed waits.
#[component]
fn Gutter(layout: Signal<Layout>, t: Signal<f64>, locale: Signal<Locale>) -> impl IntoView {
    let steps = move || {
        layout.with(|l| {
            let shown = l.captions.partition_point(|c| c.at <= t.get());
            geometry::step_markers_in(&l.captions[..shown], locale.get())
                .into_iter()
                .map(|m| {
                    view! {
                        <g class="vis-step-mark">
                            <line x1=0 x2=WIDTH y1=m.y y2=m.y/>
                            <text x=8 y=m.y - 8.0>{m.text}</text>
                        </g>
                    }
                })
                .collect_view()
        })
    };
    let breaks = move || {
        layout.with(|l| {
            l.arrows
                .iter()
                .filter(|a| a.start <= t.get())
                .filter_map(|a| a.break_before.map(|ms| (a.start, ms)))
                .map(|(start, ms)| {
                    let y = geometry::y_of(start) - 24.0;
                    let text =
                        td_string!(locale.get(), visualiser.diagram.later, ms = ms).to_string();
                    view! { <text class="vis-break" x=8 y=y>{text}</text> }
                })
                .collect_view()
        })
    };
    view! { <g class="vis-gutter">{steps}{breaks}</g> }
}

/// Lane notes that have appeared, inside the viewport.
#[component]
fn Notes(
    layout: Signal<Layout>,
    t: Signal<f64>,
    window: RwSignal<(f64, f64)>,
    locale: Signal<Locale>,
) -> impl IntoView {
    move || {
        let (top, bottom) = window.get();
        let locale = locale.get();
        layout.with(|l| {
            l.notes_in(t.get(), top, bottom)
                .map(|n| {
                    let s = note_shape_in(n, locale);
                    view! {
                        <text class="vis-note" x=s.at.0 y=s.at.1 text-anchor=s.anchor>{s.text}</text>
                    }
                })
                .collect_view()
        })
    }
}

/// One packet: line, head (or loss cross), label; click to inspect.
#[component]
fn ArrowView(
    layout: Signal<Layout>,
    t: Signal<f64>,
    index: usize,
    selected: RwSignal<Option<usize>>,
    locale: Signal<Locale>,
) -> impl IntoView {
    let shape = Memo::new(move |_| {
        layout.with(|l| {
            l.arrows
                .get(index)
                .map(|p| arrow_shape(p, p.progress_at(t.get())))
                .unwrap_or_default()
        })
    });
    let s = move |f: fn(&ArrowShape) -> f64| move || shape.with(f);
    let group_class = move || {
        shape.with(|sh| {
            let fate = if sh.lost_because.is_some() {
                "dropped"
            } else {
                "delivered"
            };
            let chosen = if selected.get() == Some(index) {
                " selected"
            } else {
                ""
            };
            format!("vis-arrow {} {fate}{chosen}", sh.class)
        })
    };
    let label = move || shape.with(|sh| sh.label.clone());
    view! {
        <g
            class=group_class
            data-index=index
            role="button"
            tabindex="0"
            aria-label=label
            on:click=move |_| selected.set(Some(index))
            on:keydown=move |ev| {
                if ev.key() == "Enter" {
                    selected.set(Some(index));
                }
            }
        >
            <line class="vis-hit" x1=s(|sh| sh.from.0) y1=s(|sh| sh.from.1) x2=s(|sh| sh.tip.0) y2=s(|sh| sh.tip.1)/>
            <line class="vis-line" x1=s(|sh| sh.from.0) y1=s(|sh| sh.from.1) x2=s(|sh| sh.tip.0) y2=s(|sh| sh.tip.1)/>
            <polygon class="vis-head" points=move || shape.with(|sh| sh.head_points())/>
            <text
                class="vis-label"
                x=s(|sh| sh.label_pos().0)
                y=s(|sh| sh.label_pos().1)
                transform=move || shape.with(|sh| sh.text_transform())
            >
                {label}
            </text>
            {move || shape.with(|sh| sh.detail.clone()).map(|d| view! {
                <text
                    class="vis-detail"
                    x=s(|sh| sh.detail_pos().0)
                    y=s(|sh| sh.detail_pos().1)
                    transform=move || shape.with(|sh| sh.text_transform())
                >
                    {d}
                </text>
            })}
            {move || shape.with(|sh| sh.cross.map(|c| (c, sh.lost_because.clone().unwrap_or_default()))).map(|((x, y), why)| view! {
                <g class="vis-cross dropped-cross">
                    <path d=format!("M{} {}L{} {}M{} {}L{} {}", x - CROSS, y - CROSS, x + CROSS, y + CROSS, x - CROSS, y + CROSS, x + CROSS, y - CROSS)/>
                    <text class="vis-lost" x=x y=y + 34.0>{move || {
                        let locale = locale.get();
                        td_string!(locale, visualiser.diagram.lost, why = words::loss_in(&why, locale)).to_string()
                    }}</text>
                </g>
            })}
        </g>
    }
}
