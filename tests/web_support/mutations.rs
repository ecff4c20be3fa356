//! DOM work counted, for the wasm tests that check rows are updated in
//! place: a `MutationObserver` built through `js_sys`, and the nodes it saw
//! added or removed. Included with `#[path]` by the test files that use it.

use wasm_bindgen::{JsCast, JsValue};

/// An observer of the children (`subtree` false) or the whole subtree of
/// each target. Its callback keeps every record it is handed in
/// `observer.seen`: records delivered while a test awaited a frame leave
/// `takeRecords`.
pub struct Mutations(JsValue);

impl Mutations {
    pub fn observe(targets: &[web_sys::Element], subtree: bool) -> Mutations {
        let constructor: js_sys::Function =
            js_sys::Reflect::get(&js_sys::global(), &"MutationObserver".into())
                .unwrap()
                .unchecked_into();
        let callback = js_sys::Function::new_with_args(
            "records, observer",
            "observer.seen = (observer.seen || []).concat(records);",
        );
        let observer =
            js_sys::Reflect::construct(&constructor, &js_sys::Array::of1(&callback)).unwrap();
        let options = js_sys::Object::new();
        js_sys::Reflect::set(&options, &"childList".into(), &true.into()).unwrap();
        js_sys::Reflect::set(&options, &"subtree".into(), &subtree.into()).unwrap();
        for target in targets {
            call_method(
                &observer,
                "observe",
                &[target.into(), options.clone().into()],
            );
        }
        Mutations(observer)
    }

    /// How many nodes named `node_name` (`"TR"`, `"LI"`) appear in the
    /// records' `lists` (`addedNodes`, `removedNodes`): in records delivered
    /// to the callback and in records still pending, in that order.
    pub fn nodes(&self, lists: &[&str], node_name: &str) -> (usize, usize) {
        let count = |records: JsValue| {
            js_sys::Array::from(&records)
                .iter()
                .flat_map(|record| {
                    lists.iter().flat_map(move |list| {
                        let nodes = js_sys::Reflect::get(&record, &(*list).into()).unwrap();
                        js_sys::Array::from(&nodes).to_vec()
                    })
                })
                .filter(|node| js_sys::Reflect::get(node, &"nodeName".into()).unwrap() == node_name)
                .count()
        };
        let seen = js_sys::Reflect::get(&self.0, &"seen".into()).unwrap();
        let delivered = if seen.is_undefined() { 0 } else { count(seen) };
        (delivered, count(call_method(&self.0, "takeRecords", &[])))
    }
}

impl Drop for Mutations {
    fn drop(&mut self) {
        call_method(&self.0, "disconnect", &[]);
    }
}

fn call_method(target: &JsValue, name: &str, args: &[JsValue]) -> JsValue {
    let method: js_sys::Function = js_sys::Reflect::get(target, &name.into())
        .unwrap()
        .unchecked_into();
    method
        .apply(target, &args.iter().collect::<js_sys::Array>())
        .unwrap()
}
