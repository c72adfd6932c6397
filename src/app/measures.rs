//! The lengths of selected corridors, in total and per country, measured in the background:
//! against the 1:10m countries it takes longer than a frame. The details panel shows them once
//! they are ready.

use std::collections::HashMap;
use std::sync::Arc;

use crate::jobs::{Job, JobState, Progress};
use crate::scene::MapModel;
use crate::spatial::measure;
use crate::ui::details::CorridorMeasures;

#[derive(Default)]
pub(super) struct MeasuredCorridors {
    measured: HashMap<usize, CorridorMeasures>,
    /// Corridors being measured, by item.
    jobs: HashMap<usize, Job<CorridorMeasures>>,
}

impl MeasuredCorridors {
    /// The measures of item `item`, once they are ready.
    pub(super) fn get(&self, item: usize) -> Option<&CorridorMeasures> {
        self.measured.get(&item)
    }

    /// Starts measuring the corridor `item` made of `lines` (lon/lat), unless it is measured
    /// or being measured. `ctx` is asked for a repaint when the measures are ready.
    pub(super) fn ensure(
        &mut self,
        item: usize,
        lines: &geo::MultiLineString,
        model: &Arc<MapModel>,
        ctx: Option<&egui::Context>,
    ) {
        if self.measured.contains_key(&item) || self.jobs.contains_key(&item) {
            return;
        }
        let lines = lines.clone();
        let model = Arc::clone(model);
        let ctx = ctx.cloned();
        let job = Job::spawn(
            "sinokaz-measure",
            move || {
                if let Some(ctx) = &ctx {
                    ctx.request_repaint();
                }
            },
            move |_: &Progress<CorridorMeasures>| {
                Ok::<_, String>(CorridorMeasures {
                    geodesic_km: measure::geodesic_length_km(&lines),
                    km_per_country: measure::km_per_country(
                        &lines,
                        &model.detailed_country_outlines(),
                    ),
                })
            },
        );
        self.jobs.insert(item, job);
    }

    /// Keeps the measures that are ready; returns the failures, said as the user reads them.
    #[must_use]
    pub(super) fn finish(&mut self) -> Vec<String> {
        let ended: Vec<usize> = (self.jobs.iter())
            .filter(|(_, job)| !job.is_running())
            .map(|(&item, _)| item)
            .collect();
        let mut failures = Vec::new();
        for item in ended {
            let Some(job) = self.jobs.remove(&item) else {
                continue;
            };
            match job.join() {
                JobState::Done(measures) => {
                    self.measured.insert(item, measures);
                }
                JobState::Failed(message) => failures.push(message),
                JobState::Running(_) | JobState::Cancelled => {}
            }
        }
        failures
    }

    /// Waits until every measure under way has ended.
    pub(super) fn wait(&self) {
        for job in self.jobs.values() {
            while job.is_running() {
                std::thread::sleep(std::time::Duration::from_millis(2));
            }
        }
    }
}
