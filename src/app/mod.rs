pub mod dashboard;

pub fn mount() {}
