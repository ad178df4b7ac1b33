package io.tinstream.app.feed;

import io.tinstream.schemas.AdRequest;
import io.tinstream.schemas.AvroCodec;
import io.tinstream.schemas.BehaviorEvent;
import io.tinstream.schemas.ItemFields;
import io.tinstream.schemas.ScoreResponse;
import io.tinstream.streaming.kafka.KafkaClientProperties;
import io.tinstream.streaming.kafka.KafkaClients;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;

/**
 * Plays the ad server: sends ad requests for recently active users at a fixed rate, reads the
 * committed responses, and keeps request → response latency percentiles and answer counts.
 */
public final class RequestDriver implements AutoCloseable {

  /** Latency and counts since the last snapshot. */
  public record Snapshot(
      long sent, long answered, long errors, double p50Ms, double p99Ms, long lastModelVersion) {}

  private final KafkaProducer<byte[], byte[]> producer;
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final String requestsTopic;
  private final DemoFeed feed;
  private final KafkaFeeder feeder;
  private final int candidates;
  private final double perSecond;
  private final SplittableRandom random = new SplittableRandom(17);
  private final AvroCodec<AdRequest> requests = AvroCodec.adRequests();
  private final AvroCodec<ScoreResponse> responses = AvroCodec.scoreResponses();

  /**
   * Told of every answered request, on the reader thread, with both clocks of the send: the
   * monotonic one for durations here, and wall-clock to compare with the response's own times.
   */
  public interface Listener {
    void answered(long sentNanos, long sentWallMillis, long receivedNanos, ScoreResponse response);
  }

  private record Sent(long nanos, long wallMillis) {}

  private final Map<String, Sent> sentAt = new ConcurrentHashMap<>();
  private volatile Listener listener;
  private final List<Double> latencies = new ArrayList<>();
  private final AtomicLong sent = new AtomicLong();
  private final AtomicLong answered = new AtomicLong();
  private final AtomicLong errors = new AtomicLong();
  private final AtomicLong lastVersion = new AtomicLong(-1);
  private final AtomicBoolean stop = new AtomicBoolean();
  private final Thread sender;
  private final Thread reader;
  private volatile List<String> variants = List.of();

  public RequestDriver(
      String bootstrap,
      KafkaClientProperties clientProperties,
      String requestsTopic,
      String scoresTopic,
      DemoFeed feed,
      KafkaFeeder feeder,
      int candidates,
      double perSecond) {
    this.producer = KafkaClients.producer(bootstrap, clientProperties);
    this.consumer = KafkaClients.committedReader(bootstrap, clientProperties);
    this.consumer.subscribe(List.of(scoresTopic));
    this.requestsTopic = requestsTopic;
    this.feed = feed;
    this.feeder = feeder;
    this.candidates = candidates;
    this.perSecond = perSecond;
    this.sender = new Thread(this::sendLoop, "demo-requests");
    this.reader = new Thread(this::readLoop, "demo-responses");
    sender.setDaemon(true);
    reader.setDaemon(true);
  }

  public void start() {
    sender.start();
    reader.start();
  }

  private void sendLoop() {
    long intervalNanos = (long) (1e9 / perSecond);
    long next = System.nanoTime();
    while (!stop.get()) {
      BehaviorEvent recent = feeder.recentEvent(random.nextInt(1 << 20));
      if (recent != null) {
        send(recent);
      }
      next += intervalNanos;
      long sleep = next - System.nanoTime();
      if (sleep > 0) {
        try {
          Thread.sleep(sleep / 1_000_000, (int) (sleep % 1_000_000));
        } catch (InterruptedException e) {
          return;
        }
      }
    }
  }

  /** Sets who is told of each answer (null: nobody); see {@link Listener}. */
  public void setListener(Listener listener) {
    this.listener = listener;
  }

  /** Requests name these variants in turn (empty: none, i.e. the job's default variant). */
  public void rotateVariants(List<String> names) {
    this.variants = List.copyOf(names);
  }

  private void send(BehaviorEvent recent) {
    List<ItemFields> items = new ArrayList<>(candidates);
    for (int i = 0; i < candidates; i++) {
      items.add(
          i == 0
              ? feed.itemLike(recent.getItem())
              : feed.probeItems().get(random.nextInt(feed.probeItems().size())));
    }
    long n = sent.incrementAndGet();
    String id = "demo-req-" + n;
    List<String> rotation = variants;
    AdRequest request =
        AdRequest.newBuilder()
            .setRequestId(id)
            .setUserId(recent.getUserId())
            // The user's own clock: right after their latest behavior the driver has seen.
            .setRequestTime(Instant.ofEpochMilli(recent.getEventTime().toEpochMilli() + 1))
            .setScenario(1)
            .setModelVariant(rotation.isEmpty() ? null : rotation.get((int) (n % rotation.size())))
            .setCandidates(items)
            .build();
    sentAt.put(id, new Sent(System.nanoTime(), System.currentTimeMillis()));
    KafkaClients.send(
        producer,
        requestsTopic,
        Long.toString(recent.getUserId()).getBytes(StandardCharsets.UTF_8),
        requests.encode(request));
  }

  private void readLoop() {
    while (!stop.get()) {
      for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
        try {
          ScoreResponse response = responses.decode(r.value());
          long received = System.nanoTime();
          Sent at = sentAt.remove(response.getRequestId());
          if (at == null) {
            // Another client's answer (the feed's own ad server asks too): not ours to count.
            continue;
          }
          answered.incrementAndGet();
          if (response.getError() != null) {
            errors.incrementAndGet();
          } else {
            lastVersion.set(response.getModelVersion());
          }
          {
            synchronized (latencies) {
              latencies.add((received - at.nanos()) / 1e6);
            }
            Listener l = listener;
            if (l != null) {
              l.answered(at.nanos(), at.wallMillis(), received, response);
            }
          }
        } catch (Exception e) {
          errors.incrementAndGet();
        }
      }
    }
  }

  /** Counts so far, and latency percentiles of the responses since the previous call. */
  public Snapshot snapshot() {
    double[] window;
    synchronized (latencies) {
      window = latencies.stream().mapToDouble(Double::doubleValue).toArray();
      latencies.clear();
    }
    Arrays.sort(window);
    return new Snapshot(
        sent.get(),
        answered.get(),
        errors.get(),
        percentile(window, 0.50),
        percentile(window, 0.99),
        lastVersion.get());
  }

  private static double percentile(double[] sorted, double q) {
    if (sorted.length == 0) {
      return Double.NaN;
    }
    return sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)];
  }

  @Override
  public void close() throws InterruptedException {
    stop.set(true);
    sender.join(2_000);
    reader.join(2_000);
    producer.close();
    consumer.close();
  }
}
