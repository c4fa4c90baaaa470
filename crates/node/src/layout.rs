//! The named plans that cross N-API: a step's layout (`StepLayout`, built once per parameter set
//! and reused by every `stepF32`/`stepF64`) and a training run's plan (`RunPlan`, `BatchRange`),
//! shared by `trainEpoch*` and `TrainingJob*.run`.

use crate::errors::to_js_error;
use crate::typed::{self, TypedElement};
use descent_core::nn::train::Batches;
use descent_core::rules::rule_index;
use descent_core::{CoreError, Slot};
use napi::{Env, Result, Unknown};
use napi_derive::napi;

/// One parameter of a step: how many state tensors follow its [param, grad], how many scalars
/// one step plans for it, and its shape.
#[napi(object)]
pub struct StepParamSpec {
    pub state_count: u32,
    pub scalar_count: u32,
    pub shape: Vec<u32>,
}

/// What a step runs: the rule, by its registry name, and each parameter's layout.
#[napi(object)]
pub struct StepLayoutSpec {
    pub rule: String,
    pub params: Vec<StepParamSpec>,
}

struct ParamLayout {
    state_count: usize,
    scalar_count: usize,
    shape: Vec<usize>,
}

/// A checked step layout. JS keeps one per parameter set, so a step passes only its tensors
/// ([param, grad, ...state] per parameter) and scalars, or, once they are bound, only scalars.
#[napi]
pub struct StepLayout {
    rule: usize,
    params: Vec<ParamLayout>,
    tensor_count: usize,
    scalar_count: usize,
    bound: Option<Bound>,
}

/// The data of the tensors last bound: their addresses, lengths and element type.
struct Bound {
    views: Vec<(*mut u8, usize)>,
    element: &'static str,
}

#[napi]
impl StepLayout {
    #[napi(constructor)]
    pub fn new(spec: StepLayoutSpec) -> Result<Self> {
        let rule = rule_index(&spec.rule).map_err(to_js_error)?;
        let params: Vec<ParamLayout> = spec
            .params
            .into_iter()
            .map(|p| ParamLayout {
                state_count: p.state_count as usize,
                scalar_count: p.scalar_count as usize,
                shape: p.shape.into_iter().map(|d| d as usize).collect(),
            })
            .collect();
        let tensor_count = params.iter().map(|p| 2 + p.state_count).sum();
        let scalar_count = params.iter().map(|p| p.scalar_count).sum();
        Ok(StepLayout { rule, params, tensor_count, scalar_count, bound: None })
    }

    /// Remembers where the data of `tensors` (Float32Arrays) are, for `stepBoundF32`. The caller
    /// keeps the arrays alive and passes them again whenever one of them is replaced, detached
    /// or resized (src/backend/native.ts checks that before every bound step).
    #[napi(ts_args_type = "tensors: Array<Float32Array>")]
    pub fn bind_f32(&mut self, env: Env, tensors: Unknown<'_>) -> Result<()> {
        self.bind::<f32>(&env, &tensors)
    }

    /// `bindF32` for Float64Arrays, for `stepBoundF64`.
    #[napi(ts_args_type = "tensors: Array<Float64Array>")]
    pub fn bind_f64(&mut self, env: Env, tensors: Unknown<'_>) -> Result<()> {
        self.bind::<f64>(&env, &tensors)
    }
}

impl StepLayout {
    pub fn rule(&self) -> usize {
        self.rule
    }

    fn bind<T: TypedElement>(&mut self, env: &Env, tensors: &Unknown<'_>) -> Result<()> {
        self.bound = None;
        let views = unsafe { typed::views::<T>(env, tensors, "tensors")? };
        if views.len() != self.tensor_count {
            let expected = format!("{} tensors as the layout lists, got {}", self.tensor_count, views.len());
            return Err(to_js_error(CoreError::invalid("tensors", expected)));
        }
        let views = views.into_iter().map(|v| (v.as_mut_ptr().cast::<u8>(), v.len())).collect();
        self.bound = Some(Bound { views, element: T::ARRAY });
        Ok(())
    }

    /// The bound tensors, as views for this call.
    ///
    /// # Safety
    /// The arrays bound last must still be alive, attached and of their bound lengths.
    pub unsafe fn bound<'a, T: TypedElement>(&self) -> Result<Vec<&'a mut [T]>> {
        let bound =
            self.bound.as_ref().filter(|b| b.element == T::ARRAY).ok_or_else(|| {
                to_js_error(CoreError::invalid("layout", format!("{} tensors bound first", T::ARRAY)))
            })?;
        Ok(bound
            .views
            .iter()
            .map(
                |&(data, len)| {
                    if len == 0 {
                        &mut []
                    } else {
                        unsafe { std::slice::from_raw_parts_mut(data.cast::<T>(), len) }
                    }
                },
            )
            .collect())
    }

    /// Splits one step's tensors and scalars per parameter.
    pub fn slots<'a, T>(&'a self, tensors: Vec<&'a mut [T]>, scalars: &'a [f64]) -> Result<Vec<Slot<'a, T>>> {
        if tensors.len() != self.tensor_count {
            let expected = format!("{} tensors as the layout lists, got {}", self.tensor_count, tensors.len());
            return Err(to_js_error(CoreError::invalid("tensors", expected)));
        }
        if scalars.len() != self.scalar_count {
            let expected = format!("{} scalars as the layout lists, got {}", self.scalar_count, scalars.len());
            return Err(to_js_error(CoreError::invalid("scalars", expected)));
        }
        let mut tensors = tensors.into_iter();
        let mut scalar_at = 0;
        let mut slots = Vec::with_capacity(self.params.len());
        for p in &self.params {
            let mut take = || tensors.next().expect("counted above");
            let param = take();
            let grad: &[T] = take();
            let state = (0..p.state_count).map(|_| take()).collect();
            let slot_scalars = &scalars[scalar_at..scalar_at + p.scalar_count];
            scalar_at += p.scalar_count;
            slots.push(Slot { param, grad, state, shape: p.shape.clone(), scalars: slot_scalars });
        }
        Ok(slots)
    }
}

/// A training run's optimizer plan: the rule and, per optimizer parameter, the network tensor it
/// is, its state tensor count (the tensors follow in the run's `state` list) and its scalar count.
#[napi(object)]
pub struct RunPlan {
    pub rule: String,
    pub slots: Vec<u32>,
    pub state_counts: Vec<u32>,
    pub scalar_counts: Vec<u32>,
}

/// Which batches of an epoch a run trains.
#[napi(object)]
pub struct BatchRange {
    pub batch_size: u32,
    pub first: u32,
    pub count: u32,
    /// Stop at a batch whose gradient holds NaN/±∞ (before its optimizer step).
    pub check_non_finite: bool,
}

/// `RunPlan` checked and in the core's index types.
pub struct DecodedPlan {
    pub rule: usize,
    pub tensor_of: Vec<usize>,
    pub state_counts: Vec<usize>,
    pub scalar_counts: Vec<usize>,
}

impl RunPlan {
    /// Checks that the per-parameter lists agree and that `state_tensors` is their total.
    pub fn decode(&self, state_tensors: usize) -> std::result::Result<DecodedPlan, CoreError> {
        let n = self.slots.len();
        if self.state_counts.len() != n || self.scalar_counts.len() != n {
            return Err(CoreError::invalid("plan", "slots, stateCounts and scalarCounts of one length"));
        }
        let to_usize = |v: &Vec<u32>| v.iter().map(|&x| x as usize).collect::<Vec<_>>();
        let state_counts = to_usize(&self.state_counts);
        if state_counts.iter().sum::<usize>() != state_tensors {
            return Err(CoreError::invalid("state", "as many tensors as the plan's stateCounts add up to"));
        }
        Ok(DecodedPlan {
            rule: rule_index(&self.rule)?,
            tensor_of: to_usize(&self.slots),
            state_counts,
            scalar_counts: to_usize(&self.scalar_counts),
        })
    }
}

impl BatchRange {
    pub fn batches<'a, T>(
        &self,
        x: &'a [T],
        targets: descent_core::nn::loss::Targets<'a, T>,
        order: &'a [u32],
    ) -> Batches<'a, T> {
        Batches {
            x,
            targets,
            order,
            batch_size: self.batch_size as usize,
            first: self.first as usize,
            count: self.count as usize,
        }
    }
}
