pub mod visualiser;

pub fn mount() {}
