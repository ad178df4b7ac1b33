package io.tinstream.streaming.training;

import io.tinstream.models.Batch;
import io.tinstream.models.CtrModel;
import io.tinstream.schemas.ModelUpdate;
import io.tinstream.schemas.TrainingExample;
import io.tinstream.streaming.JobMetrics;
import io.tinstream.streaming.ModelSpecs;
import io.tinstream.training.features.BatchBuilder;
import io.tinstream.training.features.BatchTarget;
import io.tinstream.training.features.ExampleHistories;
import io.tinstream.training.features.HistorySelector;
import io.tinstream.training.features.RowHistory;
import io.tinstream.training.features.VariantHistories;
import io.tinstream.training.online.VariantTrainer;
import io.tinstream.training.versions.ModelPublisher;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Trains every configured variant online on the labelled examples, in micro-batches closed by size
 * or by a processing-time deadline. Each batch is scored before it is trained on (progressive
 * validation, exposed as metrics per variant); a batch whose loss is not finite is skipped and
 * counted. When and in what form the versions are published ({@link ModelUpdate}s: full snapshots
 * every {@code fullSnapshotEvery} versions, deltas between) is the {@link ModelPublisher}'s call.
 *
 * <p>Runs as one instance (all examples keyed to 0): one model per variant. Weights, optimizer
 * slots and the examples of the unfinished batch are checkpointed, so a restore resumes the same
 * model version and loses no example; the restored versions are published again in full before the
 * first batch after the restore trains.
 *
 * <p>Its versions belong to a run epoch ({@link io.tinstream.training.versions.ModelLineage}):
 * chosen at a start without restored state as the wall-clock ms, and never before the job's start
 * {@code runStartedAt} (the floor its per-user serving follows from); kept in the checkpointed
 * snapshots, so a restore continues the same run, while a fresh run, whose versions restart at 1,
 * is newer than every previous run's.
 */
public final class OnlineTrainerFunction
    extends KeyedProcessFunction<Integer, TrainingExample, ModelUpdate>
    implements CheckpointedFunction {
  private static final long serialVersionUID = 1L;

  /** The single key all examples go to. */
  public static final int KEY = 0;

  private final ModelSpecs specs;
  private final TrainerConfig config;
  private final long runStartedAt;

  private transient VariantHistories histories;
  private transient Map<String, VariantTrainer> trainers;
  private transient ModelPublisher publisher;
  private transient List<TrainingExample> buffer;
  private transient ListState<TrainingExample> bufferState;
  private transient ListState<ModelUpdate> modelState;
  private transient List<ModelUpdate> restoredModels;
  private transient long deadlineTimer;
  private transient Counter examples;

  public OnlineTrainerFunction(ModelSpecs specs, TrainerConfig config) {
    this(specs, config, Long.MIN_VALUE);
  }

  /** {@code runStartedAt}: the job's start (wall-clock ms), the earliest a fresh run's epoch is. */
  public OnlineTrainerFunction(ModelSpecs specs, TrainerConfig config, long runStartedAt) {
    this.specs = java.util.Objects.requireNonNull(specs);
    this.config = java.util.Objects.requireNonNull(config);
    this.runStartedAt = runStartedAt;
  }

  @Override
  public void initializeState(FunctionInitializationContext context) throws Exception {
    bufferState =
        context
            .getOperatorStateStore()
            .getListState(
                new ListStateDescriptor<>(
                    "trainer-buffer", AvroTypeInfo.of(TrainingExample.class)));
    modelState =
        context
            .getOperatorStateStore()
            .getListState(
                new ListStateDescriptor<>("trainer-models", AvroTypeInfo.of(ModelUpdate.class)));
    buffer = new ArrayList<>();
    restoredModels = new ArrayList<>();
    if (context.isRestored()) {
      bufferState.get().forEach(buffer::add);
      modelState.get().forEach(restoredModels::add);
    }
  }

  @Override
  public void open(OpenContext openContext) {
    histories = specs.histories();
    trainers = new LinkedHashMap<>();
    Map<String, CtrModel> models = new LinkedHashMap<>();
    MetricGroup metrics = getRuntimeContext().getMetricGroup();
    examples = metrics.counter(JobMetrics.TRAINING_EXAMPLES);
    for (String variant : specs.variants()) {
      VariantTrainer trainer =
          new VariantTrainer(variant, specs.build(variant), config.validation().newWindow());
      trainers.put(variant, trainer);
      models.put(variant, trainer.model());
      MetricGroup group = metrics.addGroup(JobMetrics.VARIANT_GROUP, variant);
      JobMetrics.windowGauges(
          group,
          trainer.validation(),
          JobMetrics.ONLINE_AUC,
          JobMetrics.ONLINE_LOG_LOSS,
          JobMetrics.ONLINE_SAMPLES);
      group.gauge(JobMetrics.MODEL_VERSION, () -> trainer.model().version());
      group.gauge(JobMetrics.SKIPPED_BATCHES, trainer::skippedBatches);
      group.gauge(JobMetrics.TRAINED_SAMPLES, trainer::trainedSamples);
      JobMetrics.idRowGauges(group, trainer.model());
    }
    // A fresh run's epoch; a restore replaces it with the checkpoint's.
    long freshEpoch = Math.max(runStartedAt, System.currentTimeMillis());
    publisher =
        new ModelPublisher(models, config.fullSnapshotEvery(), config.publishEveryMs(), freshEpoch);
    publisher.restore(restoredModels);
    restoredModels = null;
  }

  @Override
  public void processElement(TrainingExample example, Context ctx, Collector<ModelUpdate> out) {
    // After a restore: the restored versions first, before anything trains on them.
    publisher.restoredSnapshots(System.currentTimeMillis()).forEach(out::collect);
    examples.inc();
    buffer.add(example);
    if (buffer.size() >= config.batchSize()) {
      trainBuffered(out);
    } else if (deadlineTimer == 0) {
      // Also after a restore, whose buffer may hold examples but whose timer is gone.
      deadlineTimer = ctx.timerService().currentProcessingTime() + config.batchDeadlineMs();
      ctx.timerService().registerProcessingTimeTimer(deadlineTimer);
    }
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<ModelUpdate> out) {
    if (timestamp == deadlineTimer && !buffer.isEmpty()) {
      trainBuffered(out);
    }
  }

  private void trainBuffered(Collector<ModelUpdate> out) {
    // Each variant trains on the history it is served with; variants sharing one share its batch.
    Map<HistorySelector, Batch> batches = new HashMap<>();
    boolean applied = false;
    // The id mappings' clock (admission times, expiry): the newest impression trained on, so a
    // replay of the same examples admits and expires the same ids.
    long eventTime = buffer.stream().mapToLong(TrainingExample::getImpressionTime).max().orElse(0L);
    for (VariantTrainer trainer : trainers.values()) {
      HistorySelector selector = histories.forVariant(trainer.variant());
      applied |=
          trainer.step(batches.computeIfAbsent(selector, this::batchOf), eventTime).applied();
    }
    buffer.clear();
    deadlineTimer = 0;
    publisher.afterBatch(applied, System.currentTimeMillis()).forEach(out::collect);
  }

  /** The buffered examples as one batch of the behaviors {@code selector} kept for each. */
  private Batch batchOf(HistorySelector selector) {
    BatchBuilder builder = new BatchBuilder(buffer.size(), selector.length());
    for (TrainingExample e : buffer) {
      builder.add(
          RowHistory.of(ExampleHistories.of(e, selector, histories.plain())),
          BatchTarget.of(e.getTarget(), e.getScenario(), e.getImpressionTime()),
          e.getLabel(),
          (int) e.getUserId());
    }
    return builder.build();
  }

  @Override
  public void snapshotState(FunctionSnapshotContext context) throws Exception {
    bufferState.update(new ArrayList<>(buffer));
    modelState.update(publisher.checkpoint(System.currentTimeMillis()));
  }

  /** The run epoch this trainer publishes (test hook). */
  long runEpoch() {
    return publisher.runEpoch();
  }

  /** Batches {@code variant} skipped so far (test hook: the harness's metrics are not readable). */
  long skippedBatches(String variant) {
    return trainers.get(variant).skippedBatches();
  }

  @Override
  public void close() {
    if (trainers != null) {
      trainers.values().forEach(VariantTrainer::close);
    }
  }
}
