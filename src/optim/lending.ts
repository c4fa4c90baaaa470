/**
 * Which optimizers are lent to a training session (a running `fitAsync`, an open `Trainer`):
 * their `step()` and `loadStateDict()` refuse meanwhile. It lives beside the optimizer, which
 * consults it, rather than with the models that lend, so that nothing here imports upwards.
 */

/** Optimizers driven by a running `model.fitAsync`, with the name of that call. */
export const lentTo = new WeakMap<object, string>()

/**
 * Marks `optimizer` as driven by a running `fitAsync` (`where`, e.g. `'MLP.fitAsync'`), or frees
 * it (`undefined`). Meanwhile its `step()` and `loadStateDict()` throw: the fit's training thread
 * works on copies of the parameters and state, and would overwrite such changes.
 */
export function lendToTraining(optimizer: object, where: string | undefined): void {
  if (where === undefined) lentTo.delete(optimizer)
  else lentTo.set(optimizer, where)
}
