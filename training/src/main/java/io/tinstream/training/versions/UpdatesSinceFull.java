package io.tinstream.training.versions;

import io.tinstream.schemas.ModelUpdate;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The records a replica at any version (or none) needs to reach a variant's newest version: its
 * latest full snapshot and the deltas after it, oldest first. Kept by a consumer that may have to
 * rebuild a replica later (a restored or late scorer), so it holds at most one full snapshot and
 * the deltas up to the next one.
 *
 * <p>The log takes the same {@link UpdateVerdict} as a replica at its newest version, so it only
 * ever holds an unbroken chain: a delta that does not continue it is refused here already.
 */
public final class UpdatesSinceFull {
  private static final Logger LOG = LoggerFactory.getLogger(UpdatesSinceFull.class);

  /** The log after an update arrived, and what the update was for it. */
  public record Appended(UpdateVerdict verdict, List<ModelUpdate> log) {
    /** Whether {@link #log()} differs from the log before (and has to be stored). */
    public boolean changed() {
      return verdict == UpdateVerdict.APPLY;
    }
  }

  private UpdatesSinceFull() {}

  /** The newest version in {@code log} (null or empty: -1). */
  public static long newestVersion(List<ModelUpdate> log) {
    return newest(log).version();
  }

  /** The lineage of the newest update in {@code log} (null or empty: {@link ModelLineage#NONE}). */
  public static ModelLineage newest(List<ModelUpdate> log) {
    return log == null || log.isEmpty()
        ? ModelLineage.NONE
        : ModelLineage.of(log.get(log.size() - 1));
  }

  /**
   * {@code log} (null = none yet) after {@code update} arrives: a newer full snapshot starts a new
   * log, a delta on the newest version is appended, anything else (a delta before any full
   * snapshot, a gap, a replay, an older run's update) leaves it as it is.
   */
  public static Appended after(List<ModelUpdate> log, ModelUpdate update) {
    List<ModelUpdate> held = log == null ? List.of() : log;
    UpdateVerdict verdict = UpdateVerdict.of(newest(held), update, Follows.EVERY_UPDATE);
    if (verdict == UpdateVerdict.GAP && !held.isEmpty()) {
      LOG.warn(
          "{}: delta {} on base {} does not continue version {}; waiting for the next full snapshot",
          update.getVariant(),
          update.getVersion(),
          update.getBaseVersion(),
          newest(held));
    }
    if (verdict == UpdateVerdict.OLDER_RUN) {
      LOG.warn(
          "{}: ignored version {} of run {}, the log follows the newer run at {}",
          update.getVariant(),
          update.getVersion(),
          update.getRunEpoch(),
          newest(held));
    }
    if (verdict != UpdateVerdict.APPLY) {
      return new Appended(verdict, held);
    }
    List<ModelUpdate> next = new ArrayList<>();
    if (!ModelUpdates.isFull(update)) {
      next.addAll(held);
    }
    next.add(update);
    return new Appended(verdict, next);
  }
}
