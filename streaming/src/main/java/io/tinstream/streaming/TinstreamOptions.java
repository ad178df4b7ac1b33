package io.tinstream.streaming;

import io.tinstream.state.TrajectoryPolicy;
import java.time.Duration;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;

/** Every setting of the tinstream jobs, typed, with its default. The CLI fills these. */
public final class TinstreamOptions {

  private TinstreamOptions() {}

  public static final ConfigOption<String> BOOTSTRAP_SERVERS =
      ConfigOptions.key("tinstream.kafka.bootstrap-servers")
          .stringType()
          .defaultValue("localhost:9092")
          .withDescription("Kafka bootstrap servers.");

  public static final ConfigOption<String> GROUP_ID =
      ConfigOptions.key("tinstream.kafka.group-id")
          .stringType()
          .defaultValue("tinstream")
          .withDescription("Consumer group of the job's Kafka sources.");

  public static final ConfigOption<String> BEHAVIORS_TOPIC =
      ConfigOptions.key("tinstream.topics.behaviors")
          .stringType()
          .defaultValue("behaviors")
          .withDescription("Topic of BehaviorEvent records (Avro single-object encoding).");

  public static final ConfigOption<String> REQUESTS_TOPIC =
      ConfigOptions.key("tinstream.topics.requests")
          .stringType()
          .defaultValue("ad-requests")
          .withDescription("Topic of AdRequest records.");

  public static final ConfigOption<String> TAXONOMY_TOPIC =
      ConfigOptions.key("tinstream.topics.taxonomy")
          .stringType()
          .defaultValue("taxonomy")
          .withDescription("Compacted topic of TaxonomyEntry records (ignored with a file).");

  public static final ConfigOption<String> PROBE_TOPIC =
      ConfigOptions.key("tinstream.topics.probe-responses")
          .stringType()
          .defaultValue("probe-responses")
          .withDescription("Topic the searched behaviors per request candidate go to.");

  public static final ConfigOption<String> DEAD_LETTER_TOPIC =
      ConfigOptions.key("tinstream.topics.dead-letters")
          .stringType()
          .defaultValue("dead-letters")
          .withDescription("Topic of DeadLetter records: what the job rejected, and why.");

  public static final ConfigOption<String> TAXONOMY_FILE =
      ConfigOptions.key("tinstream.taxonomy.file")
          .stringType()
          .noDefaultValue()
          .withDescription(
              "CSV taxonomy (kind,child,parent); when unset the taxonomy topic is read.");

  public static final ConfigOption<Duration> TAXONOMY_WAIT =
      ConfigOptions.key("tinstream.taxonomy.wait")
          .durationType()
          .defaultValue(Duration.ofSeconds(30))
          .withDescription(
              "At the first start, how long behaviors that need the taxonomy wait for its first"
                  + " edge before they are stored as they are.");

  public static final ConfigOption<Duration> RETENTION =
      ConfigOptions.key("tinstream.trajectory.retention")
          .durationType()
          .defaultValue(Duration.ofMillis(TrajectoryPolicy.DEFAULT_RETENTION_MS))
          .withDescription(
              "Behaviors older than this, relative to the user's newest, are dropped.");

  public static final ConfigOption<Integer> MAX_BEHAVIORS =
      ConfigOptions.key("tinstream.trajectory.max-behaviors")
          .intType()
          .defaultValue(TrajectoryPolicy.DEFAULT_MAX_BEHAVIORS)
          .withDescription("Per-user cap; the oldest behaviors go first.");

  public static final ConfigOption<String> SEARCH_MODE =
      ConfigOptions.key("tinstream.search.mode")
          .stringType()
          .defaultValue("hierarchical")
          .withDescription("Search for probes: hierarchical, sim, stratified or latest.");

  public static final ConfigOption<Integer> SEARCH_K =
      ConfigOptions.key("tinstream.search.k")
          .intType()
          .defaultValue(64)
          .withDescription("Behaviors kept per candidate by the search stage.");

  public static final ConfigOption<Integer> PARALLELISM =
      ConfigOptions.key("tinstream.parallelism")
          .intType()
          .defaultValue(2)
          .withDescription("Parallelism of the job.");

  public static final ConfigOption<Duration> CHECKPOINT_INTERVAL =
      ConfigOptions.key("tinstream.checkpoint-interval")
          .durationType()
          .defaultValue(Duration.ofSeconds(5))
          .withDescription(
              "Exactly-once checkpoint interval; outputs become visible to read_committed"
                  + " readers at each checkpoint.");
}
