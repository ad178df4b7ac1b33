package io.tinstream.training.versions;

import io.tinstream.schemas.ModelUpdate;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The newest trainer run (run epoch) a reader of a model-updates partition has passed, per variant:
 * a topic holds each variant's runs in the order they were written, oldest first, so an update of
 * an older run <em>after</em> a newer one was written by a trainer that is no longer the current
 * one (a stale instance, a misrouted producer). It is refused here, once, rather than reaching
 * holders that would refuse it anyway ({@link UpdateVerdict#OLDER_RUN}).
 *
 * <p>Older <em>versions</em> of the newest run pass: a restored trainer republishes the version it
 * resumed from, and a duplicate is the holders' {@link UpdateVerdict#ALREADY_HELD}. Not
 * checkpointed: after a restart the first update of each variant starts it again, and the holders'
 * own rule still applies.
 */
public final class NewestRuns {
  private final Map<String, Long> newest = new HashMap<>();

  /** Why {@code update} is refused (an older run than one passed before); else remembers it. */
  public Optional<String> admit(ModelUpdate update) {
    Long seen = newest.get(update.getVariant());
    long epoch = update.getRunEpoch();
    if (seen != null && epoch < seen) {
      return Optional.of(
          "older lineage: version "
              + update.getVersion()
              + " of run "
              + epoch
              + " after run "
              + seen
              + " of '"
              + update.getVariant()
              + "' (written by a trainer that is no longer current)");
    }
    newest.put(update.getVariant(), epoch);
    return Optional.empty();
  }
}
