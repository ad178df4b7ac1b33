import io.tinstream.app.feed.DemoFeed;
import io.tinstream.app.feed.KafkaFeeder;
import io.tinstream.app.feed.ServedImpressions;
import io.tinstream.schemas.AvroCodec;
import io.tinstream.schemas.ScoreResponse;
import io.tinstream.streaming.kafka.EmbeddedKafka;
import io.tinstream.streaming.kafka.KafkaClients;
import io.tinstream.streaming.trajectory.TaxonomyFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;

/**
 * A stand-in for a real Kafka and ad server, so scripts/local-cluster.sh can be tried on one
 * machine: the project's in-process broker (EmbeddedKafka) with the job's default topics, the
 * synthetic feed's taxonomy as a CSV file for the job, the synthetic feed streamed to
 * {@code behaviors} with an ad request before a share of its impressions, and a line every 5 s
 * of what came back on {@code ad-scores}. Runs until Ctrl-C.
 *
 * <p>Run by {@code scripts/local-cluster.sh broker [users] [events/s] [request share]}.
 */
public final class DemoBroker {

  public static void main(String[] args) throws Exception {
    int users = args.length > 0 ? Integer.parseInt(args[0]) : 200;
    double rate = args.length > 1 ? Double.parseDouble(args[1]) : 500;
    double share = args.length > 2 ? Double.parseDouble(args[2]) : 0.05;
    Path work = Files.createDirectories(Path.of(System.getProperty("broker.dir", "/tmp/tinstream-broker")));
    DemoFeed feed = DemoFeed.synthetic(users, Long.MAX_VALUE, 1);
    Path taxonomy = work.resolve("taxonomy.csv");
    TaxonomyFile.write(taxonomy, feed.taxonomy());
    try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
      // The job's default topic names (TinstreamOptions), two partitions each as the compose file.
      kafka.createTopics(
          2,
          List.of(
              "behaviors",
              "ad-requests",
              "ad-scores",
              "model-updates",
              "probe-responses",
              "dead-letters"));
      String bootstrap = kafka.bootstrapServers();
      System.out.println("broker: " + bootstrap + " (in-process Kafka, topics created)");
      System.out.println("taxonomy: " + taxonomy);
      System.out.println(
          "submit with: scripts/local-cluster.sh submit -D tinstream.kafka.bootstrap-servers="
              + bootstrap
              + " -D tinstream.taxonomy.file="
              + taxonomy
              + " -D tinstream.topics.taxonomy=");
      KafkaFeeder feeder = new KafkaFeeder(feed, bootstrap, kafka.clientProperties(), "behaviors", rate, 0);
      feeder.askBeforeImpressions(
          "ad-requests", new ServedImpressions(share, List.of(), feed::candidatesOf));
      Thread feeding = new Thread(feeder, "feeder");
      feeding.setDaemon(true);
      feeding.start();
      Runtime.getRuntime().addShutdownHook(new Thread(feeder::stop));
      report(bootstrap, feeder);
    }
  }

  /** Every 5 s: behaviors and requests sent, requests answered, the newest model version seen. */
  private static void report(String bootstrap, KafkaFeeder feeder) throws Exception {
    Set<String> answered = new HashSet<>();
    long responses = 0;
    long errors = 0;
    long version = -1;
    long started = System.nanoTime();
    long next = started;
    try (KafkaConsumer<byte[], byte[]> scores = KafkaClients.committedReader(bootstrap)) {
      scores.subscribe(List.of("ad-scores"));
      while (feeder.failure() == null) {
        for (ConsumerRecord<byte[], byte[]> r : scores.poll(Duration.ofMillis(500))) {
          ScoreResponse response = AvroCodec.scoreResponses().decode(r.value());
          responses++;
          answered.add(response.getRequestId().toString());
          if (response.getError() != null) {
            errors++;
          } else {
            version = Math.max(version, response.getModelVersion());
          }
        }
        if (System.nanoTime() >= next) {
          System.out.printf(
              "%4d s  behaviors sent %,d  requests sent %,d  answered %,d (responses %,d, errors %,d)"
                  + "  model version %s%n",
              (System.nanoTime() - started) / 1_000_000_000L,
              feeder.sent(),
              feeder.servedRequests(),
              answered.size(),
              responses,
              errors,
              version < 0 ? "-" : Long.toString(version));
          next = System.nanoTime() + 5_000_000_000L;
        }
      }
    }
    throw new IllegalStateException("the feeder failed", feeder.failure());
  }
}
