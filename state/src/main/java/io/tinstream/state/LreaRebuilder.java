package io.tinstream.state;

/**
 * Builds a user's {@link LreaEntry} from the trajectory: implemented on the model side (the TF
 * model computes {@code E_comp}, {@code E_aux}), so this module stays free of the model runtime.
 */
public interface LreaRebuilder {

  /** Version of the model that {@link #rebuild} uses now. */
  long modelVersion();

  /** The pair for this trajectory (oldest first), tagged with {@link #modelVersion()}. */
  LreaEntry rebuild(TrajectoryView trajectory) throws Exception;
}
