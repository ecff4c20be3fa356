//! The Leptos views and the app state behind them.

pub mod dashboard;
pub mod form;
pub mod payload;
pub mod ring;
pub mod visualiser;

/// Mounts the app on `<body>`.
pub fn mount() {}
