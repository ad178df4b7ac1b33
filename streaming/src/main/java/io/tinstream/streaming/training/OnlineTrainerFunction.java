package io.tinstream.streaming.training;

import io.tinstream.models.Batch;
import io.tinstream.models.VariableCodec;
import io.tinstream.schemas.ModelUpdate;
import io.tinstream.schemas.TrainingExample;
import io.tinstream.schemas.UpdateKind;
import io.tinstream.streaming.ModelSpecs;
import io.tinstream.training.features.BatchBuilder;
import io.tinstream.training.features.BatchTarget;
import io.tinstream.training.features.ExampleHistories;
import io.tinstream.training.features.HistorySelector;
import io.tinstream.training.features.RowHistory;
import io.tinstream.training.features.VariantHistories;
import io.tinstream.training.online.VariantTrainer;
import java.nio.ByteBuffer;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trains every configured variant online on the labelled examples, in micro-batches closed by size
 * or by a processing-time deadline. Each batch is scored before it is trained on (progressive
 * validation, exposed as metrics per variant); a batch whose loss is not finite is skipped and
 * counted. After each applied batch a variant publishes a {@link ModelUpdate}: a full snapshot
 * every {@code fullEvery} versions, otherwise the dense weights plus only the embedding rows
 * touched since its previous update.
 *
 * <p>Runs as one instance (all examples keyed to 0): one model per variant. Weights, optimizer
 * slots and the examples of the unfinished batch are checkpointed, so a restore resumes the same
 * model version and loses no example.
 */
public final class OnlineTrainerFunction
    extends KeyedProcessFunction<Integer, TrainingExample, ModelUpdate>
    implements CheckpointedFunction {
  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(OnlineTrainerFunction.class);

  /** The single key all examples go to. */
  public static final int KEY = 0;

  private final ModelSpecs specs;
  private final int batchSize;
  private final long batchDeadlineMs;
  private final int fullEvery;
  private final int validationWindow;
  private final long publishEveryMs;

  private transient VariantHistories histories;
  private transient Map<String, VariantTrainer> trainers;
  private transient Map<String, long[]> published; // variant → {last published, last full}
  private transient List<TrainingExample> buffer;
  private transient ListState<TrainingExample> bufferState;
  private transient ListState<ModelUpdate> modelState;
  private transient List<ModelUpdate> restoredModels;
  private transient long deadlineTimer;
  private transient long lastPublishedAt;
  private transient Counter examples;

  public OnlineTrainerFunction(
      ModelSpecs specs,
      int batchSize,
      long batchDeadlineMs,
      int fullEvery,
      int validationWindow,
      long publishEveryMs) {
    if (batchSize <= 0 || batchDeadlineMs <= 0 || fullEvery <= 0 || validationWindow <= 1) {
      throw new IllegalArgumentException(
          "batch size, deadline and full-snapshot period must be > 0, validation window > 1");
    }
    this.specs = specs;
    this.batchSize = batchSize;
    this.batchDeadlineMs = batchDeadlineMs;
    this.fullEvery = fullEvery;
    this.validationWindow = validationWindow;
    this.publishEveryMs = publishEveryMs;
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
    published = new LinkedHashMap<>();
    MetricGroup metrics = getRuntimeContext().getMetricGroup();
    examples = metrics.counter("trainingExamples");
    for (String variant : specs.variants()) {
      VariantTrainer trainer = new VariantTrainer(variant, specs.build(variant), validationWindow);
      trainers.put(variant, trainer);
      published.put(variant, new long[] {-1, -1});
      MetricGroup group = metrics.addGroup("variant", variant);
      group.gauge("onlineAuc", () -> trainer.validation().auc());
      group.gauge("onlineLogLoss", () -> trainer.validation().logLoss());
      group.gauge("modelVersion", () -> trainer.model().version());
      group.gauge("skippedBatches", trainer::skippedBatches);
      group.gauge("trainedSamples", trainer::trainedSamples);
    }
    for (ModelUpdate snapshot : restoredModels) {
      VariantTrainer trainer = trainers.get(snapshot.getVariant());
      if (trainer == null) {
        LOG.warn(
            "checkpoint holds variant {} which is no longer configured", snapshot.getVariant());
        continue;
      }
      trainer.model().importVariables(bytes(snapshot.getPayload()));
      // The restored version is published again in full, so a scorer never misses a base.
      published.put(snapshot.getVariant(), new long[] {-1, -1});
      LOG.info("restored {} at version {}", snapshot.getVariant(), trainer.model().version());
    }
    restoredModels = null;
  }

  @Override
  public void processElement(TrainingExample example, Context ctx, Collector<ModelUpdate> out) {
    examples.inc();
    buffer.add(example);
    if (buffer.size() >= batchSize) {
      trainBuffered(out);
    } else if (deadlineTimer == 0) {
      // Also after a restore, whose buffer may hold examples but whose timer is gone.
      deadlineTimer = ctx.timerService().currentProcessingTime() + batchDeadlineMs;
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
    for (VariantTrainer trainer : trainers.values()) {
      HistorySelector selector = histories.forVariant(trainer.variant());
      applied |= trainer.step(batches.computeIfAbsent(selector, this::batchOf)).applied();
    }
    buffer.clear();
    deadlineTimer = 0;
    // Versions are published at most every publishEveryMs: every update is shipped, broadcast
    // and kept by the scorers, so publishing per batch would trade training throughput for
    // freshness far below what serving can notice.
    long now = System.currentTimeMillis();
    if (applied && now - lastPublishedAt >= publishEveryMs) {
      lastPublishedAt = now;
      for (VariantTrainer trainer : trainers.values()) {
        if (trainer.model().version() > published.get(trainer.variant())[0]) {
          out.collect(update(trainer));
        }
      }
    }
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

  private ModelUpdate update(VariantTrainer trainer) {
    long version = trainer.model().version();
    long[] last = published.get(trainer.variant());
    boolean full = last[0] < 0 || version - last[1] >= fullEvery;
    byte[] payload =
        full ? trainer.model().exportVariables() : trainer.model().exportRowsSince(last[0]);
    ModelUpdate update =
        ModelUpdate.newBuilder()
            .setVariant(trainer.variant())
            .setVersion(version)
            .setBaseVersion(full ? -1 : last[0])
            .setKind(full ? UpdateKind.FULL : UpdateKind.DELTA)
            .setFormatVersion(VariableCodec.FORMAT_VERSION)
            .setCreatedAt(System.currentTimeMillis())
            .setPayload(ByteBuffer.wrap(payload))
            .build();
    last[0] = version;
    if (full) {
      last[1] = version;
    }
    return update;
  }

  @Override
  public void snapshotState(FunctionSnapshotContext context) throws Exception {
    bufferState.update(new ArrayList<>(buffer));
    List<ModelUpdate> snapshots = new ArrayList<>();
    for (VariantTrainer trainer : trainers.values()) {
      snapshots.add(
          ModelUpdate.newBuilder()
              .setVariant(trainer.variant())
              .setVersion(trainer.model().version())
              .setKind(UpdateKind.FULL)
              .setFormatVersion(VariableCodec.FORMAT_VERSION)
              .setCreatedAt(System.currentTimeMillis())
              .setPayload(ByteBuffer.wrap(trainer.model().exportVariables()))
              .build());
    }
    modelState.update(snapshots);
  }

  @Override
  public void close() {
    if (trainers != null) {
      trainers.values().forEach(VariantTrainer::close);
    }
  }

  public static byte[] bytes(ByteBuffer buffer) {
    ByteBuffer b = buffer.duplicate();
    byte[] out = new byte[b.remaining()];
    b.get(out);
    return out;
  }
}
