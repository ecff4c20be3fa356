//! Alerts outside the page: a WebAudio beep and a browser notification,
//! each failing quietly (outside a browser, in native tests, they do nothing).

#[cfg(target_arch = "wasm32")]
thread_local! {
    static AUDIO: std::cell::RefCell<Option<web_sys::AudioContext>> =
        const { std::cell::RefCell::new(None) };
}

/// Creates the audio context; call from a click, since browsers only allow
/// sound after a user gesture.
pub fn prime_audio() {
    #[cfg(target_arch = "wasm32")]
    AUDIO.with(|audio| {
        let mut audio = audio.borrow_mut();
        if audio.is_none() {
            *audio = web_sys::AudioContext::new().ok();
        }
        if let Some(context) = audio.as_ref() {
            let _ = context.resume();
        }
    });
}

/// A short two-tone beep, if the audio context was primed.
pub fn beep() {
    #[cfg(target_arch = "wasm32")]
    AUDIO.with(|audio| {
        if let Some(context) = audio.borrow().as_ref() {
            let _ = play_tone(context, 880.0, 0.0).and_then(|_| play_tone(context, 660.0, 0.18));
        }
    });
}

#[cfg(target_arch = "wasm32")]
fn play_tone(
    context: &web_sys::AudioContext,
    hz: f32,
    delay: f64,
) -> Result<(), wasm_bindgen::JsValue> {
    let start = context.current_time() + delay;
    let oscillator = context.create_oscillator()?;
    let gain = context.create_gain()?;
    oscillator.frequency().set_value(hz);
    gain.gain().set_value_at_time(0.15, start)?;
    gain.gain()
        .exponential_ramp_to_value_at_time(0.001, start + 0.16)?;
    oscillator.connect_with_audio_node(&gain)?;
    gain.connect_with_audio_node(&context.destination())?;
    oscillator.start_with_when(start)?;
    oscillator.stop_with_when(start + 0.17)
}

/// Asks for permission to show notifications (call from a click).
pub fn request_notification_permission() {
    #[cfg(target_arch = "wasm32")]
    {
        let _ = web_sys::Notification::request_permission();
    }
}

/// Whether notifications may be shown.
pub fn notifications_allowed() -> bool {
    #[cfg(target_arch = "wasm32")]
    {
        web_sys::Notification::permission() == web_sys::NotificationPermission::Granted
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        false
    }
}

/// Shows a browser notification titled `title` (text only), if allowed.
pub fn notify(title: &str) {
    #[cfg(target_arch = "wasm32")]
    if notifications_allowed() {
        let _ = web_sys::Notification::new(title);
    }
    #[cfg(not(target_arch = "wasm32"))]
    let _ = title;
}
