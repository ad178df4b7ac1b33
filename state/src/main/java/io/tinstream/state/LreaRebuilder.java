package io.tinstream.state;

/**
 * Builds a user's {@link LreaEntry} from the trajectory: implemented on the model side (the TF
 * model computes {@code E_comp}, {@code E_aux}), so this module stays free of the model runtime.
 */
public interface LreaRebuilder {

  /** Run epoch of the model that {@link #rebuild} uses now. */
  long modelEpoch();

  /** Version (within its run) of the model that {@link #rebuild} uses now. */
  long modelVersion();

  /**
   * The pair for this trajectory (oldest first), stamped with the model's epoch and version and
   * with {@code appendedCount}, the user's appended-behavior counter it reflects.
   */
  LreaEntry rebuild(TrajectoryView trajectory, long appendedCount) throws Exception;
}
