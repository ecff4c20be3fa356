//! Packet inspector: the clicked arrow's bytes as a hex dump, every field
//! highlighted in its own colour and named in a legend.

use leptos::prelude::*;

use crate::i18n::{td_string, Locale};

use super::hexdump::{field_class, hex_rows, packet_fields, FieldSpan, HexCell};
use super::model::PacketSummary;
use super::words;

/// Hex dump and field legend of one packet.
#[component]
pub fn PacketInspector(
    /// The packet to show; `None` shows a hint.
    #[prop(into)]
    packet: Signal<Option<PacketSummary>>,
) -> impl IntoView {
    let locale = words::locale();
    let hovered = RwSignal::new(None::<usize>);
    let section: NodeRef<leptos::html::Div> = NodeRef::new();
    // A click on an arrow brings its bytes into view: the inspector sits low
    // in the side panel, below the fold at projector sizes.
    Effect::new(move |_| {
        if packet.with(Option::is_some) {
            if let Some(el) = section.get() {
                el.scroll_into_view();
            }
        }
    });
    let body = move || {
        match packet.get() {
        None => view! {
            <section class="vis-inspector empty" aria-label=move || td_string!(locale.get(), visualiser.inspector.label)>
                <p>{move || td_string!(locale.get(), visualiser.inspector.empty)}</p>
            </section>
        }
        .into_any(),
        Some(summary) => {
            let fields = packet_fields(&summary);
            let rows = hex_rows(&summary.bytes, &fields);
            let (length, version) = (summary.bytes.len(), summary.version.label());
            let size = move || {
                td_string!(
                    locale.get(),
                    visualiser.inspector.size,
                    bytes = length,
                    version = version
                )
                .to_string()
            };
            let label = summary.label();
            view! {
                <section class="vis-inspector" aria-label=move || td_string!(locale.get(), visualiser.inspector.label)>
                    <h3>{label} <small>" "{size}</small></h3>
                    <div class="vis-hex" role="table" aria-label=move || td_string!(locale.get(), visualiser.inspector.hex)>
                        {rows.into_iter().map(|row| hex_row(row, hovered, locale)).collect_view()}
                    </div>
                    <table class="vis-fields">
                        <thead><tr>
                            <th>{move || td_string!(locale.get(), visualiser.inspector.bytes)}</th>
                            <th>{move || td_string!(locale.get(), visualiser.inspector.field)}</th>
                            <th>{move || td_string!(locale.get(), visualiser.inspector.value)}</th>
                        </tr></thead>
                        <tbody>{fields.into_iter().enumerate().map(|(i, f)| field_row(i, f, hovered)).collect_view()}</tbody>
                    </table>
                </section>
            }
            .into_any()
        }
    }
    };
    view! { <div class="vis-inspector-box" node_ref=section>{body}</div> }
}

fn hex_row(
    row: Vec<HexCell>,
    hovered: RwSignal<Option<usize>>,
    locale: Signal<Locale>,
) -> impl IntoView {
    let offset = row.first().map_or(0, |c| c.offset);
    view! {
        <div class="vis-hex-row" role="row">
            <span class="vis-offset">{format!("{offset:04x}")}</span>
            {row.into_iter().map(|cell| hex_cell(cell, hovered, locale)).collect_view()}
        </div>
    }
}

fn hex_cell(
    cell: HexCell,
    hovered: RwSignal<Option<usize>>,
    locale: Signal<Locale>,
) -> impl IntoView {
    let class = cell.field.map_or("vis-byte", |f| field_class(f));
    let lit = move || cell.field.is_some() && hovered.get() == cell.field;
    view! {
        <span
            class=format!("vis-byte {class}")
            class:lit=lit
            role="cell"
            title=move || td_string!(locale.get(), visualiser.inspector.offset, offset = cell.offset).to_string()
            on:mouseenter=move |_| hovered.set(cell.field)
            on:mouseleave=move |_| hovered.set(None)
        >
            {format!("{:02X}", cell.byte)}
        </span>
    }
}

fn field_row(i: usize, f: FieldSpan, hovered: RwSignal<Option<usize>>) -> impl IntoView {
    let range = if f.end > f.start + 1 {
        format!("{}–{}", f.start, f.end - 1)
    } else {
        f.start.to_string()
    };
    view! {
        <tr
            class=field_class(i)
            class:lit=move || hovered.get() == Some(i)
            on:mouseenter=move |_| hovered.set(Some(i))
            on:mouseleave=move |_| hovered.set(None)
        >
            <td>{range}</td>
            <td>{f.name}</td>
            <td>{f.value}</td>
        </tr>
    }
}
