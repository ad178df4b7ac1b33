package io.tinstream.streaming.trajectory;

import io.tinstream.models.CtrModel;
import io.tinstream.models.ModelRegistry;
import io.tinstream.models.TfDevice;
import io.tinstream.schemas.ModelUpdate;
import io.tinstream.streaming.ModelSpecs;
import io.tinstream.training.versions.ModelUpdateCheck;
import io.tinstream.training.versions.NewestRuns;
import io.tinstream.training.versions.VariableLayout;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.flink.util.function.SerializableFunction;

/**
 * The check of a record of the model-updates topic as it is read, before the trajectory operator
 * can store it (see {@link SnapshotFollower}): its variant is one this job has, its checksum and
 * fields are sound ({@link ModelUpdateCheck#record}), an update the followers take (a full snapshot
 * of a variant served from keyed state) decodes completely and fits the variant's configured params
 * ({@link ModelUpdateCheck#content}), and it is not of an older run than one already read ({@link
 * NewestRuns}). Whatever fails is a dead letter with the reason (see {@code DecodeAndValidate}):
 * stored, it would fail the import on every behavior and every restart.
 *
 * <p>Updates the followers do not take (deltas, variants scored by the micro-batch scorer, which
 * gets them inside the job) are only checked for their record and checksum: they go no further.
 *
 * <p>The layout of each followed variant is built once per subtask, from a model of its configured
 * params, on its first update; a variant whose model cannot be built has every snapshot refused
 * with why.
 */
public final class ModelUpdateValidator
    implements SerializableFunction<ModelUpdate, Optional<String>> {
  private static final long serialVersionUID = 1L;

  private final ModelSpecs specs;
  private final List<String> followed;

  /** Variant → its layout, or why none could be built. */
  private transient Map<String, Object> layouts;

  private transient NewestRuns runs;

  /** Checks updates for a job of {@code specs} whose followers take {@code followed}' snapshots. */
  public ModelUpdateValidator(ModelSpecs specs, List<String> followed) {
    this.specs = specs;
    this.followed = List.copyOf(followed);
  }

  @Override
  public Optional<String> apply(ModelUpdate update) {
    String variant = update.getVariant();
    if (!specs.contains(variant)) {
      return Optional.of(
          "model variant '" + variant + "' is not one this job serves " + specs.variants());
    }
    Optional<String> bad =
        SnapshotFollower.follows(update, followed)
            ? content(update)
            : ModelUpdateCheck.record(update);
    if (bad.isPresent()) {
      return bad;
    }
    if (runs == null) {
      runs = new NewestRuns();
    }
    return runs.admit(update);
  }

  private Optional<String> content(ModelUpdate update) {
    Object layout = layout(update.getVariant());
    if (layout instanceof String failure) {
      return Optional.of(failure);
    }
    return ModelUpdateCheck.content(update, (VariableLayout) layout);
  }

  private Object layout(String variant) {
    if (layouts == null) {
      layouts = new HashMap<>();
    }
    return layouts.computeIfAbsent(
        variant,
        v -> {
          // On the CPU with one thread, whatever the job's sessions use: only shapes are read.
          try (CtrModel model =
              ModelRegistry.build(
                  specs.params(v).toBuilder().device(TfDevice.CPU).threads(1, 1).build())) {
            return VariableLayout.of(model);
          } catch (RuntimeException e) {
            return "model variant '"
                + v
                + "' failed to load here, its snapshots cannot be checked: "
                + e.getClass().getSimpleName()
                + ": "
                + e.getMessage();
          }
        });
  }
}
