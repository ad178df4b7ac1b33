package io.tinstream.streaming;

import io.tinstream.schemas.AvroCodec;
import io.tinstream.schemas.DeadLetter;
import io.tinstream.schemas.ProbeResponse;
import io.tinstream.schemas.TaxonomyEntry;
import io.tinstream.state.TrajectoryPolicy;
import io.tinstream.streaming.internal.DecodeAndValidate;
import io.tinstream.streaming.internal.RawRecord;
import io.tinstream.streaming.internal.TrajectoryInput;
import io.tinstream.streaming.taxonomy.TaxonomyLookup;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.datastream.BroadcastStream;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The ingestion pipeline: behaviors and requests from Kafka → decode and validate (rejects to the
 * dead-letter sink) → keyBy(user) → {@link TrajectoryFunction} with the broadcast taxonomy → probe
 * responses. Sources and sinks come in through the builder so tests and the demo plug in their own;
 * nothing here reaches for a global.
 */
public final class IngestionJob {

  public static final String TRAJECTORY_UID = "trajectory";

  private final Source<RawRecord, ?, ?> behaviors;
  private final Source<RawRecord, ?, ?> requests;
  private final Source<RawRecord, ?, ?> taxonomySource;
  private final List<TaxonomyEntry> taxonomyEntries;
  private final Sink<ProbeResponse> probeSink;
  private final Sink<DeadLetter> deadLetterSink;
  private final TrajectoryPolicy policy;
  private final SearchMode searchMode;
  private final int searchK;
  private final long taxonomyWaitMs;

  private IngestionJob(Builder b) {
    this.behaviors = Objects.requireNonNull(b.behaviors, "behaviors source is required");
    this.requests = b.requests;
    this.taxonomySource = b.taxonomySource;
    this.taxonomyEntries = b.taxonomyEntries;
    this.probeSink = b.probeSink;
    this.deadLetterSink = Objects.requireNonNull(b.deadLetterSink, "dead-letter sink is required");
    this.policy = b.policy;
    this.searchMode = b.searchMode;
    this.searchK = b.searchK;
    this.taxonomyWaitMs = b.taxonomyWait.toMillis();
    if (taxonomySource == null && taxonomyEntries.isEmpty()) {
      throw new IllegalArgumentException("a taxonomy is required: a topic source or file entries");
    }
    if (requests != null && probeSink == null) {
      throw new IllegalArgumentException("a requests source needs a probe sink for its answers");
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Adds the pipeline to {@code env}; returns the probe responses (empty without requests). */
  public DataStream<ProbeResponse> build(StreamExecutionEnvironment env) {
    SingleOutputStreamOperator<TrajectoryInput> events =
        env.fromSource(behaviors, WatermarkStrategy.noWatermarks(), "behaviors")
            .uid("behaviors-source")
            .process(
                new DecodeAndValidate<>(
                    AvroCodec::behaviorEvents, BehaviorValidator::check, TrajectoryInput::of),
                TypeInformation.of(TrajectoryInput.class))
            .name("decode-behaviors")
            .uid("decode-behaviors");
    DataStream<DeadLetter> deadLetters = events.getSideOutput(DecodeAndValidate.DEAD_LETTERS);
    DataStream<TrajectoryInput> inputs = events;

    if (requests != null) {
      SingleOutputStreamOperator<TrajectoryInput> decodedRequests =
          env.fromSource(requests, WatermarkStrategy.noWatermarks(), "ad-requests")
              .uid("requests-source")
              .process(
                  new DecodeAndValidate<>(
                      AvroCodec::adRequests, AdRequestValidator::check, TrajectoryInput::of),
                  TypeInformation.of(TrajectoryInput.class))
              .name("decode-requests")
              .uid("decode-requests");
      deadLetters =
          deadLetters.union(decodedRequests.getSideOutput(DecodeAndValidate.DEAD_LETTERS));
      inputs = inputs.union(decodedRequests);
    }

    DataStream<TaxonomyEntry> taxonomy;
    if (taxonomySource != null) {
      SingleOutputStreamOperator<TaxonomyEntry> decoded =
          env.fromSource(taxonomySource, WatermarkStrategy.noWatermarks(), "taxonomy")
              .uid("taxonomy-source")
              .process(
                  new DecodeAndValidate<TaxonomyEntry, TaxonomyEntry>(
                      AvroCodec::taxonomyEntries, e -> Optional.empty(), e -> e),
                  AvroTypeInfo.of(TaxonomyEntry.class))
              .name("decode-taxonomy")
              .uid("decode-taxonomy");
      deadLetters = deadLetters.union(decoded.getSideOutput(DecodeAndValidate.DEAD_LETTERS));
      taxonomy = decoded;
    } else {
      taxonomy =
          env.fromData(
                  AvroTypeInfo.of(TaxonomyEntry.class),
                  taxonomyEntries.toArray(new TaxonomyEntry[0]))
              .name("taxonomy-file");
    }
    BroadcastStream<TaxonomyEntry> broadcastTaxonomy =
        taxonomy.broadcast(TrajectoryFunction.TAXONOMY);

    SingleOutputStreamOperator<ProbeResponse> probes =
        inputs
            .keyBy(TrajectoryInput::userId, TypeInformation.of(Long.class))
            .connect(broadcastTaxonomy)
            .process(
                new TrajectoryFunction(
                    policy, searchMode, searchK, taxonomyWaitMs, preloadedTaxonomy()),
                AvroTypeInfo.of(ProbeResponse.class))
            .name("trajectory")
            .uid(TRAJECTORY_UID);

    deadLetters.sinkTo(deadLetterSink).name("dead-letter-sink").uid("dead-letter-sink");
    if (probeSink != null) {
      probes.sinkTo(probeSink).name("probe-sink").uid("probe-sink");
    }
    return probes;
  }

  private Map<String, Long> preloadedTaxonomy() {
    Map<String, Long> edges = new HashMap<>();
    for (TaxonomyEntry e : taxonomyEntries) {
      edges.put(TaxonomyLookup.key(e.getKind(), e.getChild()), e.getParent());
    }
    return edges;
  }

  /** Validating builder; defaults are {@link TinstreamOptions}' defaults. */
  public static final class Builder {
    private Source<RawRecord, ?, ?> behaviors;
    private Source<RawRecord, ?, ?> requests;
    private Source<RawRecord, ?, ?> taxonomySource;
    private List<TaxonomyEntry> taxonomyEntries = List.of();
    private Sink<ProbeResponse> probeSink;
    private Sink<DeadLetter> deadLetterSink;
    private TrajectoryPolicy policy = TrajectoryPolicy.defaults();
    private SearchMode searchMode = SearchMode.parse(TinstreamOptions.SEARCH_MODE.defaultValue());
    private int searchK = TinstreamOptions.SEARCH_K.defaultValue();
    private Duration taxonomyWait = TinstreamOptions.TAXONOMY_WAIT.defaultValue();

    public Builder behaviors(Source<RawRecord, ?, ?> source) {
      this.behaviors = source;
      return this;
    }

    public Builder requests(Source<RawRecord, ?, ?> source, Sink<ProbeResponse> probeSink) {
      this.requests = source;
      this.probeSink = probeSink;
      return this;
    }

    /** Taxonomy from a (compacted) topic of TaxonomyEntry records. */
    public Builder taxonomy(Source<RawRecord, ?, ?> source) {
      this.taxonomySource = source;
      return this;
    }

    /**
     * Taxonomy from a fixed list (e.g. read from a file), known to every behavior from the start.
     * Combined with a topic source, the topic's edges add to and override these.
     */
    public Builder taxonomy(List<TaxonomyEntry> entries) {
      this.taxonomyEntries = List.copyOf(entries);
      return this;
    }

    public Builder deadLetters(Sink<DeadLetter> sink) {
      this.deadLetterSink = sink;
      return this;
    }

    public Builder policy(TrajectoryPolicy policy) {
      this.policy = Objects.requireNonNull(policy);
      return this;
    }

    public Builder search(SearchMode mode, int k) {
      if (k <= 0) {
        throw new IllegalArgumentException("search k must be > 0, got " + k);
      }
      this.searchMode = Objects.requireNonNull(mode);
      this.searchK = k;
      return this;
    }

    /** How long behaviors that need the taxonomy wait for its first edge at the first start. */
    public Builder taxonomyWait(Duration wait) {
      if (wait.isNegative()) {
        throw new IllegalArgumentException("taxonomy wait must be >= 0, got " + wait);
      }
      this.taxonomyWait = wait;
      return this;
    }

    public IngestionJob build() {
      return new IngestionJob(this);
    }
  }
}
