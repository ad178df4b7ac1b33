package io.tinstream.app.bench;

import io.tinstream.schemas.TaxonomyEntry;
import io.tinstream.streaming.TinstreamOptions;
import io.tinstream.streaming.kafka.EmbeddedKafka;
import io.tinstream.streaming.trajectory.TaxonomyFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.flink.configuration.Configuration;

/**
 * What every benchmarked job shares: the in-process broker, a consumer group of its own, the feed's
 * taxonomy from a file (no taxonomy topic, no probes), checkpoints in a fresh temporary directory.
 * Each bench sets what it measures on top, and builds the job through {@code JobSettings} like
 * {@code job} and {@code demo} do.
 */
final class BenchJobSettings {

  private BenchJobSettings() {}

  static Configuration base(
      EmbeddedKafka kafka,
      String name,
      List<TaxonomyEntry> taxonomy,
      Duration checkpointInterval,
      int parallelism)
      throws IOException {
    Path dir = Files.createTempDirectory("tinstream-bench-" + name + "-");
    Path taxonomyFile = dir.resolve("taxonomy.csv");
    TaxonomyFile.write(taxonomyFile, taxonomy);
    Configuration conf = new Configuration();
    conf.set(TinstreamOptions.BOOTSTRAP_SERVERS, kafka.bootstrapServers());
    conf.set(TinstreamOptions.GROUP_ID, "bench-" + name);
    conf.set(TinstreamOptions.PROBE_TOPIC, "");
    conf.set(TinstreamOptions.TAXONOMY_TOPIC, "");
    conf.set(TinstreamOptions.TAXONOMY_FILE, taxonomyFile.toString());
    conf.set(TinstreamOptions.CHECKPOINT_DIR, dir.resolve("checkpoints").toUri().toString());
    conf.set(TinstreamOptions.CHECKPOINT_INTERVAL, checkpointInterval);
    conf.set(TinstreamOptions.PARALLELISM, parallelism);
    return conf;
  }
}
