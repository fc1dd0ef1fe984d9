//! The one shape of every function here: a cxmetrics accumulator per group,
//! its saved form as the partial state (one binary column), merged exactly
//! in the final phase whatever the partitioning.

use std::fmt::Debug;
use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, AsArray, BinaryArray, BooleanArray};
use datafusion::common::{exec_datafusion_err, Result, ScalarValue};
use datafusion::logical_expr::{Accumulator, EmitTo, GroupsAccumulator};

/// One group's accumulator of a function.
pub(crate) trait Partial: Sized + Send + Sync + Debug + 'static {
    /// What is fixed when the query is planned: a scale, `as_of`, the
    /// registered options.
    type Setup: Clone + Send + Sync + Debug + 'static;
    /// One batch's argument columns, converted once for its rows.
    type Input;

    fn empty(setup: &Self::Setup) -> Self;
    /// The argument columns of a batch, checked and converted.
    fn input(setup: &Self::Setup, values: &[ArrayRef]) -> Result<Self::Input>;
    /// Adds row `row` of `input` (a null that the function skips adds
    /// nothing).
    fn add(&mut self, setup: &Self::Setup, input: &Self::Input, row: usize) -> Result<()>;
    fn merge(&mut self, other: Self) -> Result<()>;
    fn encode(&self) -> Result<Vec<u8>>;
    fn decode(setup: &Self::Setup, bytes: &[u8]) -> Result<Self>;
    /// The results of `parts`, one row each, as the function's return type.
    fn finish(setup: &Self::Setup, parts: &[Self]) -> Result<ArrayRef>;
    /// Bytes held, beyond the value itself.
    fn heap_size(&self) -> usize;
}

/// A state that is not one this crate wrote.
pub(crate) fn corrupt(
    function: &str,
    error: impl std::fmt::Display,
) -> datafusion::error::DataFusionError {
    exec_datafusion_err!("{function}: not a partial state of {function}: {error}")
}

fn states(values: &[ArrayRef]) -> Result<&BinaryArray> {
    values
        .first()
        .and_then(|a| a.as_binary_opt::<i32>())
        .ok_or_else(|| exec_datafusion_err!("a partial state must be one binary column"))
}

fn encoded<P: Partial>(parts: &[P]) -> Result<ArrayRef> {
    let bytes = parts
        .iter()
        .map(Partial::encode)
        .collect::<Result<Vec<_>>>()?;
    Ok(Arc::new(BinaryArray::from_iter_values(bytes)))
}

/// A partial state in postcard, the format of cxmetrics' saved states.
pub(crate) fn postcard_bytes(function: &str, value: &impl serde::Serialize) -> Result<Vec<u8>> {
    postcard::to_allocvec(value)
        .map_err(|e| exec_datafusion_err!("{function}: saving a partial state: {e}"))
}

/// The [`Accumulator`] of a function: one group.
#[derive(Debug)]
pub(crate) struct One<P: Partial> {
    setup: P::Setup,
    part: P,
}

impl<P: Partial> One<P> {
    pub(crate) fn new(setup: P::Setup) -> Self {
        let part = P::empty(&setup);
        One { setup, part }
    }
}

impl<P: Partial> Accumulator for One<P> {
    fn update_batch(&mut self, values: &[ArrayRef]) -> Result<()> {
        let rows = values.first().map_or(0, |v| v.len());
        let input = P::input(&self.setup, values)?;
        for row in 0..rows {
            self.part.add(&self.setup, &input, row)?;
        }
        Ok(())
    }

    fn evaluate(&mut self) -> Result<ScalarValue> {
        let part = std::mem::replace(&mut self.part, P::empty(&self.setup));
        let array = P::finish(&self.setup, std::slice::from_ref(&part));
        self.part = part;
        ScalarValue::try_from_array(&array?, 0)
    }

    fn size(&self) -> usize {
        std::mem::size_of_val(self) + self.part.heap_size()
    }

    fn state(&mut self) -> Result<Vec<ScalarValue>> {
        Ok(vec![ScalarValue::Binary(Some(self.part.encode()?))])
    }

    fn merge_batch(&mut self, states: &[ArrayRef]) -> Result<()> {
        for bytes in self::states(states)?.iter().flatten() {
            self.part.merge(P::decode(&self.setup, bytes)?)?;
        }
        Ok(())
    }
}

/// The [`GroupsAccumulator`] of a function: every group of a partition,
/// by index.
#[derive(Debug)]
pub(crate) struct Groups<P: Partial> {
    setup: P::Setup,
    parts: Vec<P>,
}

impl<P: Partial> Groups<P> {
    pub(crate) fn new(setup: P::Setup) -> Self {
        Groups {
            setup,
            parts: Vec::new(),
        }
    }

    fn grow(&mut self, groups: usize) {
        if self.parts.len() < groups {
            let setup = &self.setup;
            self.parts.resize_with(groups, || P::empty(setup));
        }
    }
}

/// Whether row `row` passes the optional filter (a null filter value
/// does not).
fn passes(filter: Option<&BooleanArray>, row: usize) -> bool {
    filter.is_none_or(|f| f.is_valid(row) && f.value(row))
}

impl<P: Partial> GroupsAccumulator for Groups<P> {
    fn update_batch(
        &mut self,
        values: &[ArrayRef],
        group_indices: &[usize],
        opt_filter: Option<&BooleanArray>,
        total_num_groups: usize,
    ) -> Result<()> {
        self.grow(total_num_groups);
        let input = P::input(&self.setup, values)?;
        for (row, &group) in group_indices.iter().enumerate() {
            if passes(opt_filter, row) {
                self.parts[group].add(&self.setup, &input, row)?;
            }
        }
        Ok(())
    }

    fn evaluate(&mut self, emit_to: EmitTo) -> Result<ArrayRef> {
        let parts = emit_to.take_needed(&mut self.parts);
        P::finish(&self.setup, &parts)
    }

    fn state(&mut self, emit_to: EmitTo) -> Result<Vec<ArrayRef>> {
        let parts = emit_to.take_needed(&mut self.parts);
        Ok(vec![encoded(&parts)?])
    }

    fn merge_batch(
        &mut self,
        values: &[ArrayRef],
        group_indices: &[usize],
        total_num_groups: usize,
    ) -> Result<()> {
        self.grow(total_num_groups);
        let states = states(values)?;
        for (row, &group) in group_indices.iter().enumerate() {
            if states.is_valid(row) {
                let part = P::decode(&self.setup, states.value(row))?;
                self.parts[group].merge(part)?;
            }
        }
        Ok(())
    }

    fn convert_to_state(
        &self,
        values: &[ArrayRef],
        opt_filter: Option<&BooleanArray>,
    ) -> Result<Vec<ArrayRef>> {
        let rows = values.first().map_or(0, |v| v.len());
        let input = P::input(&self.setup, values)?;
        let mut parts = Vec::with_capacity(rows);
        for row in 0..rows {
            let mut part = P::empty(&self.setup);
            if passes(opt_filter, row) {
                part.add(&self.setup, &input, row)?;
            }
            parts.push(part);
        }
        Ok(vec![encoded(&parts)?])
    }

    fn size(&self) -> usize {
        // Called once a batch: the groups' own bytes, not their heaps.
        std::mem::size_of_val(self) + self.parts.capacity() * std::mem::size_of::<P>()
    }
}
