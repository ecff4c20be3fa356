//! The Lab tab's state and actions: run a plan live or on the simulation,
//! stop it, show its report, load and save runs. The views only read these
//! signals and call these methods.

use std::rc::Rc;

use leptos::prelude::*;

use crate::app::form::ConnectionForm;
use crate::i18n::{td_string, Locale};
use crate::mqtt::packet::{ProtocolVersion, QoS};
use crate::net::clock::now_ms;
use crate::net::storage::{self, LAB_LAST_RUN_KEY};

use super::form::{FormError, LabForm, LabTarget};
use super::live_lab::{LiveFailure, LiveLab, LiveLabState};
use super::plan::LabPlan;
use super::record::LevelResult;
use super::report::{LabReport, ReportError, Target, REPORT_FORMAT};
use super::runner::{Phase, Progress};
use super::sim_lab::{SimLab, SIM_TOPIC_PREFIX};

/// One-way delay of the simulated links.
pub const SIM_ONE_WAY_MS: u64 = 1;
/// Simulation steps between two looks at the page.
const SIM_STEPS_PER_SLICE: usize = 4_000;

/// One level's bar.
#[derive(Debug, Clone, PartialEq)]
pub struct LevelBar {
    /// The level.
    pub qos: QoS,
    /// Messages delivered (at least once).
    pub delivered: u32,
    /// Messages published.
    pub published: u32,
    /// Messages planned.
    pub planned: u32,
    /// Measured already.
    pub done: bool,
}

/// What a run is doing.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Stage {
    /// Connecting the lab's two clients to this URL.
    Connecting(String),
    /// Waiting for the publisher's connection.
    #[default]
    Waiting,
    /// Measuring this level.
    Measuring(QoS),
}

impl Stage {
    /// What the run is doing, in words in `locale`.
    pub fn text_in(&self, locale: Locale) -> String {
        match self {
            Stage::Connecting(url) => td_string!(locale, lab.progress.connecting, url).to_string(),
            Stage::Waiting => td_string!(locale, lab.progress.waiting).to_string(),
            Stage::Measuring(q) => {
                td_string!(locale, lab.progress.measuring, qos = q.as_u8()).to_string()
            }
        }
    }
}

/// Why the last action failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LabError {
    /// The form does not describe a plan.
    Form(FormError),
    /// A chosen file is not a run.
    Report(ReportError),
    /// The Client tab's connection settings are wrong (its words).
    Settings(String),
    /// The live run could not start or went wrong.
    Live(LiveFailure),
    /// Stopped before a level was measured.
    StoppedEarly,
    /// The run could not be kept in the browser (the storage's words).
    NotKept(String),
    /// An export failed (the browser's words).
    Export(String),
}

impl LabError {
    /// The problem in words, in `locale`.
    pub fn text_in(&self, locale: Locale) -> String {
        match self {
            LabError::Form(e) => e.text_in(locale),
            LabError::Report(e) => e.text_in(locale),
            LabError::Settings(why) => td_string!(locale, lab.errors.settings, why).to_string(),
            LabError::Live(e) => e.text_in(locale),
            LabError::StoppedEarly => td_string!(locale, lab.errors.stopped_early).to_string(),
            LabError::NotKept(why) => td_string!(locale, lab.errors.not_kept, why).to_string(),
            LabError::Export(why) => td_string!(locale, lab.errors.export, why).to_string(),
        }
    }
}

/// Where the report shown comes from, when it is not a run just finished.
#[derive(Debug, Clone, PartialEq)]
pub enum Source {
    /// The last run, kept in the browser.
    Saved,
    /// A file, measured on this target.
    Loaded(Target),
    /// A run stopped before its end.
    Stopped,
}

impl Source {
    /// The note in words, in `locale`.
    pub fn text_in(&self, locale: Locale) -> String {
        match self {
            Source::Saved => td_string!(locale, lab.source.saved).to_string(),
            Source::Loaded(target) => {
                td_string!(locale, lab.source.loaded, target = target.label_in(locale)).to_string()
            }
            Source::Stopped => td_string!(locale, lab.source.stopped).to_string(),
        }
    }
}

/// What the run area shows.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RunView {
    /// A run is under way.
    pub busy: bool,
    /// What it is doing.
    pub stage: Stage,
    /// One bar per planned level.
    pub bars: Vec<LevelBar>,
}

impl RunView {
    fn of(plan: &LabPlan, done: &[LevelResult], current: Option<Progress>, stage: Stage) -> Self {
        let bars = plan
            .levels
            .iter()
            .enumerate()
            .map(|(i, &qos)| {
                if let Some(r) = done.get(i) {
                    return LevelBar {
                        qos,
                        delivered: r.delivered,
                        published: r.published,
                        planned: r.planned,
                        done: true,
                    };
                }
                let p = current.filter(|p| p.qos == qos && i == done.len());
                LevelBar {
                    qos,
                    delivered: p.map_or(0, |p| p.delivered),
                    published: p.map_or(0, |p| p.published),
                    planned: plan.messages,
                    done: false,
                }
            })
            .collect();
        RunView {
            busy: true,
            stage,
            bars,
        }
    }
}

fn measuring(qos: Option<QoS>) -> Stage {
    qos.map_or(Stage::Waiting, Stage::Measuring)
}

/// The Lab tab's state; cheap to copy.
#[derive(Clone, Copy)]
pub struct LabHandle {
    /// The workload form.
    pub form: RwSignal<LabForm>,
    /// The run under way, if any.
    pub run: RwSignal<RunView>,
    /// The report shown: the last run, or one loaded from a file.
    pub report: RwSignal<Option<LabReport>>,
    /// Why the last action failed.
    pub error: RwSignal<Option<LabError>>,
    /// A note that the shown report came from a file or a previous visit.
    pub source: RwSignal<Option<Source>>,
    live: StoredValue<Option<LiveLab>, LocalStorage>,
    sim: StoredValue<Option<SimLab>, LocalStorage>,
    connection: RwSignal<ConnectionForm>,
}

impl LabHandle {
    /// A handle that runs live labs with `connection`'s broker and settings,
    /// showing the last run kept in the browser, if any.
    pub fn new(connection: RwSignal<ConnectionForm>) -> Self {
        let saved = storage::get(LAB_LAST_RUN_KEY).and_then(|t| LabReport::from_json(&t).ok());
        LabHandle {
            form: RwSignal::new(LabForm::default()),
            run: RwSignal::new(RunView::default()),
            source: RwSignal::new(saved.as_ref().map(|_| Source::Saved)),
            report: RwSignal::new(saved),
            error: RwSignal::new(None),
            live: StoredValue::new_local(None),
            sim: StoredValue::new_local(None),
            connection,
        }
    }

    /// The broker URL a live run would use.
    pub fn broker_url(&self) -> String {
        self.connection.with(|f| f.broker_url.trim().to_string())
    }

    /// Runs the form's plan where the form says.
    pub fn start(&self) {
        if self.run.with_untracked(|r| r.busy) {
            return;
        }
        let form = self.form.get_untracked();
        let plan = match form.plan() {
            Ok(plan) => plan,
            Err(why) => {
                self.error.set(Some(LabError::Form(why)));
                return;
            }
        };
        self.start_plan(plan, form.target);
    }

    /// Runs `plan` on `target` (a preset, or the form's).
    pub fn start_plan(&self, plan: LabPlan, target: LabTarget) {
        if self.run.with_untracked(|r| r.busy) {
            return;
        }
        self.error.set(None);
        match target {
            LabTarget::Simulated => self.start_sim(plan),
            LabTarget::Broker => self.start_live(plan),
        }
    }

    /// Stops the run under way; what it measured is shown.
    pub fn stop(&self) {
        if let Some(live) = self.live.get_value() {
            live.stop();
        }
        self.sim.update_value(|s| {
            if let Some(sim) = s.as_mut() {
                sim.stop();
            }
        });
    }

    /// Shows a run saved as JSON.
    pub fn load(&self, text: &str) {
        match LabReport::parse(text) {
            Ok(report) => {
                self.error.set(None);
                self.source.set(Some(Source::Loaded(report.target.clone())));
                self.report.set(Some(report));
            }
            Err(why) => self.error.set(Some(LabError::Report(why))),
        }
    }

    fn version(&self) -> ProtocolVersion {
        self.connection.with_untracked(|f| f.version)
    }

    fn start_sim(&self, plan: LabPlan) {
        let version = self.version();
        let lab = SimLab::new(plan.clone(), version, SIM_ONE_WAY_MS);
        self.sim.set_value(Some(lab));
        self.run.set(RunView::of(
            &plan,
            &[],
            None,
            measuring(plan.levels.first().copied()),
        ));
        let handle = *self;
        let started_at_ms = now_ms();
        leptos::task::spawn_local(async move {
            loop {
                let over = handle
                    .sim
                    .try_update_value(|s| {
                        s.as_mut()
                            .is_none_or(|lab| lab.advance(SIM_STEPS_PER_SLICE))
                    })
                    .unwrap_or(true);
                let view = handle.sim.with_value(|s| {
                    s.as_ref().map(|lab| {
                        let r = lab.runner();
                        RunView::of(
                            r.plan(),
                            r.results(),
                            r.progress(),
                            measuring(r.progress().map(|p| p.qos)),
                        )
                    })
                });
                if let Some(view) = view {
                    handle.run.set(view);
                }
                if over {
                    break;
                }
                gloo_timers::future::TimeoutFuture::new(0).await;
            }
            let Some(lab) = handle.sim.try_update_value(Option::take).flatten() else {
                return;
            };
            let runner = lab.into_runner();
            let stopped = runner.phase() == Phase::Stopped;
            let plan = runner.plan().clone();
            handle.finish(
                LabReport {
                    format: REPORT_FORMAT,
                    started_at_ms,
                    target: Target::Simulated {
                        one_way_ms: SIM_ONE_WAY_MS,
                    },
                    version,
                    topic_example: format!("{SIM_TOPIC_PREFIX}/q0"),
                    plan,
                    levels: runner.into_results(),
                },
                stopped,
            );
        });
    }

    fn start_live(&self, plan: LabPlan) {
        let base = match self.connection.with_untracked(|f| f.session_config()) {
            Ok(base) => base,
            Err(why) => {
                self.error.set(Some(LabError::Settings(why)));
                return;
            }
        };
        let url = self.broker_url();
        let handle = *self;
        let started_at_ms = now_ms();
        self.run.set(RunView {
            stage: Stage::Connecting(url.clone()),
            ..RunView::of(&plan, &[], None, Stage::Waiting)
        });
        let plan_for_view = plan.clone();
        let on_change = Rc::new(move |state: LiveLabState| {
            // Called from inside the run: read it back once it lets go.
            let plan = plan_for_view.clone();
            leptos::task::spawn_local(async move {
                let Some(live) = handle.live.get_value() else {
                    return;
                };
                match state {
                    LiveLabState::SettingUp => {}
                    LiveLabState::Running(progress) => handle.run.set(RunView::of(
                        &plan,
                        &live.results(),
                        progress,
                        measuring(progress.map(|p| p.qos)),
                    )),
                    LiveLabState::Done => {
                        let (url, version) = live.target();
                        let levels = live.results();
                        let stopped = levels.len() < plan.levels.len()
                            || levels
                                .iter()
                                .any(|l| l.status == super::record::LevelStatus::Stopped);
                        handle.live.set_value(None);
                        handle.finish(
                            LabReport {
                                format: REPORT_FORMAT,
                                started_at_ms,
                                target: Target::Broker { url },
                                version,
                                topic_example: live.topic(QoS::AtMostOnce),
                                plan,
                                levels,
                            },
                            stopped,
                        );
                    }
                    LiveLabState::Failed(why) => {
                        handle.live.set_value(None);
                        handle.run.set(RunView::default());
                        handle.error.set(Some(LabError::Live(why)));
                    }
                }
            });
        });
        let live = LiveLab::start(&url, base, plan, on_change);
        self.live.set_value(Some(live));
    }

    fn finish(&self, report: LabReport, stopped: bool) {
        self.run.set(RunView::default());
        if report.levels.is_empty() {
            self.error.set(Some(LabError::StoppedEarly));
            return;
        }
        if let Err(e) = storage::set(LAB_LAST_RUN_KEY, &report.to_json()) {
            self.error.set(Some(LabError::NotKept(e.to_string())));
        }
        self.source.set(stopped.then_some(Source::Stopped));
        self.report.set(Some(report));
    }
}
