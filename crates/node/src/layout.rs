//! Decodes the flat arguments of `stepF32`/`stepF64` into core `Slot`s.

use descent_core::{CoreError, Slot};

/// Splits `tensors` and `scalars` per parameter as `layout` says: per parameter
/// [tensor count, scalar count, rank, ...dims]; tensors are [param, grad, ...state].
pub fn slots<'a, T>(
    tensors: Vec<&'a mut [T]>,
    layout: &'a [u32],
    scalars: &'a [f64],
) -> Result<Vec<Slot<'a, T>>, CoreError> {
    let truncated = || CoreError::invalid("layout", "[tensorCount, scalarCount, rank, ...dims] per parameter");
    let mut tensors = tensors.into_iter();
    let mut slots = Vec::new();
    let (mut at, mut scalar_at) = (0usize, 0usize);
    while at < layout.len() {
        let header = layout.get(at..at + 3).ok_or_else(truncated)?;
        let (tensor_count, scalar_count, rank) = (header[0] as usize, header[1] as usize, header[2] as usize);
        if tensor_count < 2 {
            return Err(CoreError::invalid("layout", "at least a parameter and a gradient per parameter"));
        }
        let dims = layout.get(at + 3..at + 3 + rank).ok_or_else(truncated)?;
        at += 3 + rank;
        let slot_scalars = scalars
            .get(scalar_at..scalar_at + scalar_count)
            .ok_or_else(|| CoreError::invalid("scalars", "as many scalars as the layout lists"))?;
        scalar_at += scalar_count;
        let mut take =
            || tensors.next().ok_or_else(|| CoreError::invalid("tensors", "as many tensors as the layout lists"));
        let param = take()?;
        let grad: &[T] = take()?;
        let state = (2..tensor_count).map(|_| take()).collect::<Result<Vec<_>, _>>()?;
        let shape = dims.iter().map(|&d| d as usize).collect();
        slots.push(Slot { param, grad, state, shape, scalars: slot_scalars });
    }
    if tensors.next().is_some() || scalar_at != scalars.len() {
        return Err(CoreError::invalid("layout", "to account for every tensor and scalar"));
    }
    Ok(slots)
}
