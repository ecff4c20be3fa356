fn main() {
    #[cfg(target_arch = "wasm32")]
    qoscope::app::mount();
}
