package io.tinstream.streaming.trajectory;

import io.tinstream.models.CtrModel;
import io.tinstream.schemas.ModelUpdate;
import io.tinstream.streaming.ModelSpecs;
import io.tinstream.training.versions.Follows;
import io.tinstream.training.versions.ModelLineage;
import io.tinstream.training.versions.ModelReplica;
import io.tinstream.training.versions.UpdateVerdict;
import java.io.Serializable;
import java.util.Collection;
import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ReadOnlyBroadcastState;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The trajectory operator's copy of one variant whose per-user state it builds and serves (lrea's
 * entries, td-sasrec's head vectors): the per-user state must be built and read with the same
 * weights, and only the keyed trajectory operator can rebuild it.
 *
 * <p>It follows the <em>full</em> snapshots of the model-updates topic (a topic, not the in-job
 * broadcast: the trainer is downstream of this operator, and a job graph has no cycles), so the
 * users' state is invalidated once per full snapshot rather than once per published delta. The
 * newest snapshot per variant is kept in broadcast state, so a restored operator rebuilds the
 * replica from it; which snapshot is newer is the versions package's rule ({@link UpdateVerdict}),
 * the same the scorer applies.
 *
 * <p>What reaches it was checked whole when it was read from the topic ({@link
 * ModelUpdateValidator}: a bad one is a dead letter there and never stored here). A snapshot that
 * still does not load (the model cannot be built here, or a checkpoint from before the check holds
 * a bad one) is refused once by the replica, which keeps serving what it held; with nothing held,
 * requests get an error naming why ({@link #unavailable}), never an exception.
 */
public final class SnapshotFollower implements Serializable {
  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(SnapshotFollower.class);

  /** Full snapshots only: one invalidation of every user's state per snapshot, not per delta. */
  private static final Follows FOLLOWS = Follows.FULL_SNAPSHOTS;

  /**
   * The newest full snapshot, by variant. Named after its first user (lrea): a new name would
   * orphan the broadcast state of existing checkpoints.
   */
  public static final MapStateDescriptor<String, ModelUpdate> SNAPSHOTS =
      new MapStateDescriptor<>("lrea-model", Types.STRING, AvroTypeInfo.of(ModelUpdate.class));

  private final ModelSpecs specs;
  private final String variant;
  private transient ModelReplica<CtrModel> replica;
  private transient long runFloor = Long.MIN_VALUE;
  private transient long ignoredOlderRuns;

  public SnapshotFollower(ModelSpecs specs, String variant) {
    if (!specs.contains(variant)) {
      throw new IllegalArgumentException("variant '" + variant + "' is not in the specs");
    }
    this.specs = specs;
    this.variant = variant;
  }

  /** Whether a record of the model-updates topic is one that followers of {@code variants} take. */
  public static boolean follows(ModelUpdate update, Collection<String> variants) {
    return variants.contains(update.getVariant()) && FOLLOWS.takes(update);
  }

  /**
   * Snapshots of trainer runs before {@code epoch} are never adopted: they are a previous run's,
   * found on the topic, and this job's trainer starts its run no earlier.
   */
  void followRunsFrom(long epoch) {
    runFloor = epoch;
  }

  /** Snapshots ignored so far because they belong to a run before the floor or the one held. */
  long ignoredOlderRuns() {
    return ignoredOlderRuns;
  }

  public String variant() {
    return variant;
  }

  /** Whether a request naming {@code requested} (blank = the default variant) is for it. */
  boolean serves(String requested) {
    String v = requested == null || requested.isBlank() ? specs.defaultVariant() : requested;
    return variant.equals(v);
  }

  /**
   * Keeps the newest full snapshot of this variant, newest by (run epoch, version); deltas, other
   * variants and runs before the floor are ignored.
   */
  void onModelUpdate(ModelUpdate update, BroadcastState<String, ModelUpdate> snapshots)
      throws Exception {
    if (!variant.equals(update.getVariant()) || !FOLLOWS.takes(update)) {
      return;
    }
    if (update.getRunEpoch() < runFloor) {
      ignoredOlderRuns++;
      LOG.info(
          "{}: ignored snapshot {} of run {}, before this job's run {}",
          variant,
          update.getVersion(),
          update.getRunEpoch(),
          runFloor);
      return;
    }
    ModelUpdate held = snapshots.get(variant);
    ModelLineage heldLineage = held == null ? ModelLineage.NONE : ModelLineage.of(held);
    UpdateVerdict verdict = UpdateVerdict.of(heldLineage, update, FOLLOWS);
    if (verdict == UpdateVerdict.APPLY) {
      snapshots.put(variant, update);
    } else if (verdict == UpdateVerdict.OLDER_RUN) {
      ignoredOlderRuns++;
    }
  }

  /** The model at the newest full snapshot, or null before the first one. */
  CtrModel current(ReadOnlyBroadcastState<String, ModelUpdate> snapshots) throws Exception {
    if (replica == null) {
      replica = new ModelReplica<>(variant, () -> specs.build(variant), FOLLOWS);
    }
    ModelUpdate newest = snapshots.get(variant);
    if (newest != null) {
      replica.apply(newest);
    }
    return replica.hasModel() ? replica.model() : null;
  }

  /** Version of the model held now; -1 before the first snapshot. */
  long version() {
    return replica == null ? -1L : replica.version();
  }

  /** Run epoch and version of the model held now; {@link ModelLineage#NONE} before the first. */
  ModelLineage lineage() {
    return replica == null ? ModelLineage.NONE : replica.lineage();
  }

  /** Whether the variant has no model because loading one failed (not because none arrived). */
  boolean failedToLoad() {
    return replica != null && !replica.hasModel() && replica.failure() != null;
  }

  /**
   * Why a request cannot be scored: the variant failed to load (and why), or no snapshot of it has
   * arrived yet.
   */
  String unavailable() {
    if (failedToLoad()) {
      return "model variant '" + variant + "' failed to load: " + replica.failure();
    }
    return "no full snapshot of '"
        + variant
        + "' on the model-updates topic yet (it follows the trainer by one checkpoint)";
  }

  void close() {
    if (replica != null) {
      replica.close();
      replica = null;
    }
  }
}
