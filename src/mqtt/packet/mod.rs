//! MQTT 3.1.1 and 5.0 control packets: types, codec, field spans.

mod types;

pub use types::*;
