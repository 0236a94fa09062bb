//! TK-6: a playbook's numbered steps become the checklist a government works through, each step
//! done or not applicable, by whom and when; when every step is ticked the playbook is completed
//! (TK-7). Tabletop exercises rehearse a playbook; their follow-up actions may become findings in
//! the government's register.

use super::{NOT_FOUND, refused};
use crate::Services;
use crate::authz::Actor;
use crate::error::{Result, ServiceError};
use crate::events::Action;
use crate::fields;
use crate::work::{Who, Work};
use chrono::NaiveDate;
use cyberveilig_domain::registry::Role;
use cyberveilig_domain::toolkit::{self as rules, ItemKind, StepState, ToolkitError, UseKind};
use cyberveilig_publish::{Block, markdown};
use cyberveilig_store::Tx;
use cyberveilig_store::records::{ChecklistTick, Exercise, ExerciseAction, ToolkitItem, ToolkitVersion};
use serde_json::json;

/// A step of a playbook: its number, the phase it belongs to, what to do, and its tick.
#[derive(Debug, Clone)]
pub struct Step {
    pub number: i64,
    pub phase: String,
    pub text: String,
    pub tick: Option<ChecklistTick>,
}

/// A government's checklist of one playbook (its published version).
#[derive(Debug, Clone)]
pub struct ChecklistView {
    pub item: ToolkitItem,
    pub version: ToolkitVersion,
    pub steps: Vec<Step>,
    /// Ticked steps of all, in whole percent.
    pub progress: u8,
    pub complete: bool,
}

/// The numbered list items of a playbook, numbered as the text numbers them, under their `##`
/// phase.
pub fn steps_of(body: &str) -> Vec<(i64, String, String)> {
    let mut out = Vec::new();
    let mut phase = String::new();
    for block in markdown::to_blocks(body) {
        match block {
            Block::Heading { level: 2, text } => phase = text,
            Block::List {
                ordered: true,
                start,
                items,
                ..
            } => {
                for (i, item) in items.iter().enumerate() {
                    let text: String = item.iter().map(|inline| inline.text.as_str()).collect();
                    out.push((start as i64 + i as i64, phase.clone(), text));
                }
            }
            _ => {}
        }
    }
    out
}

/// A tabletop exercise as the government records it.
#[derive(Debug, Clone)]
pub struct ExerciseInput {
    pub held_on: NaiveDate,
    pub participants: String,
    pub lessons: String,
    /// Follow-up actions, one each.
    pub actions: Vec<String>,
}

/// The published playbook a government's person works on; 404 for anything else.
async fn playbook(tx: &mut dyn Tx, actor: &Actor, id: i64) -> Result<(ToolkitItem, ToolkitVersion)> {
    if actor.role != Role::GovernmentMember {
        return Err(ServiceError::Forbidden);
    }
    let item = tx.toolkit_item(id).await?.ok_or(NOT_FOUND)?;
    if item.kind != ItemKind::Playbook {
        return Err(NOT_FOUND);
    }
    let version = tx
        .toolkit_version(item.published_version_id.ok_or(NOT_FOUND)?)
        .await?
        .ok_or(NOT_FOUND)?;
    Ok((item, version))
}

async fn checklist_of(tx: &mut dyn Tx, actor: &Actor, id: i64) -> Result<ChecklistView> {
    let (item, version) = playbook(tx, actor, id).await?;
    let ticks = tx.checklist_ticks(item.id, actor.organisation_id, version.id).await?;
    let steps: Vec<Step> = steps_of(&version.body_nl)
        .into_iter()
        .map(|(number, phase, text)| Step {
            tick: ticks.iter().find(|t| t.step == number).cloned(),
            number,
            phase,
            text,
        })
        .collect();
    let ticked = steps.iter().filter(|s| s.tick.is_some()).count();
    Ok(ChecklistView {
        progress: rules::progress(ticked, steps.len()),
        complete: rules::is_complete(ticked, steps.len()),
        item,
        version,
        steps,
    })
}

impl Services {
    /// TK-6: the actor's government's checklist of a published playbook.
    pub async fn toolkit_checklist(&self, actor: &Actor, id: i64) -> Result<ChecklistView> {
        let mut tx = self.store.read().await?;
        checklist_of(tx.as_mut(), actor, id).await
    }

    /// TK-6: a step ticked done or not applicable (or, with `None`, unticked) for the actor's
    /// government. The tick that completes the checklist counts as the playbook's completion.
    pub async fn tick_checklist_step(&self, actor: &Actor, id: i64, step: i64, state: Option<StepState>) -> Result<ChecklistView> {
        let mut work = Work::begin(self.store.as_ref(), self.clock.now(), Who::Person(actor.clone())).await?;
        let before = checklist_of(work.tx.as_mut(), actor, id).await?;
        if !before.steps.iter().any(|s| s.number == step) {
            return Err(refused(ToolkitError::NoSuchStep));
        }
        match state {
            Some(state) => {
                let tick = ChecklistTick {
                    item_id: before.item.id,
                    organisation_id: actor.organisation_id,
                    version_id: before.version.id,
                    step,
                    state,
                    by_person: actor.person_id,
                    by_name: String::new(),
                    at: work.now,
                };
                work.tx.set_checklist_tick(&tick).await?;
            }
            None => {
                work.tx
                    .clear_checklist_tick(before.item.id, actor.organisation_id, before.version.id, step)
                    .await?
            }
        }
        let after = checklist_of(work.tx.as_mut(), actor, id).await?;
        if after.complete && !before.complete {
            work.tx
                .record_toolkit_use(after.item.id, actor.organisation_id, UseKind::Completed, work.now)
                .await?;
        }
        work.record(
            Action::ToolkitStepTicked,
            "toolkit_item",
            id,
            json!({"step": step, "state": state.map(|s| s.as_str()), "organisation_id": actor.organisation_id}),
        )
        .await?;
        work.commit().await?;
        Ok(after)
    }

    /// TK-6: the government records a tabletop exercise on a published playbook.
    pub async fn record_exercise(&self, actor: &Actor, id: i64, input: ExerciseInput) -> Result<Exercise> {
        if !cyberveilig_domain::calendar::is_plausible(input.held_on) {
            return Err(ServiceError::invalid(
                "held_on",
                "A date between 2000 and 2099.",
                "Een datum tussen 2000 en 2099.",
            ));
        }
        let participants = fields::block("participants", &input.participants, 2_000, true)?.unwrap_or_default();
        let lessons = fields::block("lessons", &input.lessons, 10_000, true)?.unwrap_or_default();
        let mut actions = Vec::new();
        for text in &input.actions {
            if let Some(text) = fields::line("actions", text, 300, false)? {
                actions.push(ExerciseAction {
                    position: actions.len() as i64 + 1,
                    text,
                    finding_id: None,
                });
            }
        }
        if actions.len() > 30 {
            return Err(ServiceError::invalid(
                "actions",
                "At most 30 follow-up actions.",
                "Hoogstens 30 acties.",
            ));
        }
        let mut work = Work::begin(self.store.as_ref(), self.clock.now(), Who::Person(actor.clone())).await?;
        let (item, _) = playbook(work.tx.as_mut(), actor, id).await?;
        let mut exercise = Exercise {
            id: 0,
            organisation_id: actor.organisation_id,
            item_id: item.id,
            held_on: input.held_on,
            participants,
            lessons,
            created_by: actor.person_id,
            created_at: work.now,
            actions,
        };
        exercise.id = work.tx.insert_exercise(&exercise).await?;
        work.record(
            Action::ToolkitExerciseRecorded,
            "toolkit_item",
            item.id,
            json!({"exercise_id": exercise.id, "organisation_id": actor.organisation_id, "held_on": exercise.held_on}),
        )
        .await?;
        work.commit().await?;
        Ok(exercise)
    }

    /// The actor's government's exercises, the latest first.
    pub async fn exercises(&self, actor: &Actor) -> Result<Vec<Exercise>> {
        if actor.role != Role::GovernmentMember {
            return Err(ServiceError::Forbidden);
        }
        let mut tx = self.store.read().await?;
        Ok(tx.exercises(actor.organisation_id).await?)
    }

    /// TK-6: a follow-up action of one of the government's exercises becomes a finding in its
    /// register (once).
    pub async fn exercise_action_to_finding(&self, actor: &Actor, exercise_id: i64, position: i64) -> Result<Exercise> {
        if actor.role != Role::GovernmentMember {
            return Err(ServiceError::Forbidden);
        }
        let mut work = Work::begin(self.store.as_ref(), self.clock.now(), Who::Person(actor.clone())).await?;
        let exercise = work
            .tx
            .exercise(exercise_id)
            .await?
            .filter(|e| e.organisation_id == actor.organisation_id)
            .ok_or(ServiceError::NotFound("exercise"))?;
        let action = exercise
            .actions
            .iter()
            .find(|a| a.position == position)
            .ok_or(ServiceError::NotFound("exercise action"))?;
        if action.finding_id.is_some() {
            return Err(ServiceError::conflict(
                "already_a_finding",
                "This action is already a finding.",
                "Deze actie is al een bevinding.",
            ));
        }
        let item = work.tx.toolkit_item(exercise.item_id).await?.ok_or(NOT_FOUND)?;
        let manual = crate::findings::ManualFinding {
            government_id: actor.organisation_id,
            rule_id: format!("exercise-{}", item.slug),
            title: action.text.clone(),
            description: format!("{}\n\n{}", exercise.lessons, exercise.participants),
            fingerprint_seed: format!("exercise|{}|{}", exercise.id, action.position),
        };
        let finding_id = crate::findings::register_manual_finding(&mut work, actor, manual).await?;
        work.tx.set_exercise_finding(exercise.id, position, finding_id).await?;
        work.record(
            Action::ToolkitExerciseFinding,
            "toolkit_item",
            item.id,
            json!({"exercise_id": exercise.id, "position": position, "finding_id": finding_id}),
        )
        .await?;
        let exercise = work.tx.exercise(exercise.id).await?.ok_or(ServiceError::NotFound("exercise"))?;
        work.commit().await?;
        Ok(exercise)
    }
}
