//! The panels' "Export CSV" button: builds the file when clicked and says so
//! beside the button if the browser refuses the download.

use leptos::prelude::*;

use crate::app::locale::use_i18n;
use crate::i18n::t;
use crate::net::page::download;

/// "Export CSV" for one panel.
#[component]
pub fn CsvExportButton(
    /// The downloaded file's name.
    file_name: &'static str,
    /// What the file holds (the button's tooltip), in the reader's language.
    #[prop(into)]
    title: Signal<String>,
    /// Nothing to export.
    #[prop(into)]
    disabled: Signal<bool>,
    /// Builds the CSV.
    csv: Callback<(), String>,
) -> impl IntoView {
    let i18n = use_i18n();
    let error = RwSignal::new(None::<String>);
    let export = move |_| {
        let text = csv.run(());
        error.set(download(file_name, "text/csv", &text).err());
    };
    view! {
        <button class="dash-button" on:click=export disabled=disabled title=title>
            {t!(i18n, dashboard.export.button)}
        </button>
        {move || error.get().map(|m| view! { <span class="dash-error" role="alert">{m}</span> })}
    }
}
