package io.tinstream.app.feed;

import io.tinstream.schemas.AdRequest;
import io.tinstream.schemas.AvroCodec;
import io.tinstream.schemas.BehaviorEvent;
import io.tinstream.streaming.kafka.KafkaClientProperties;
import io.tinstream.streaming.kafka.KafkaClients;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * Sends a feed's events to the behaviors topic, keyed by user, at a target rate, on its own thread.
 * Optionally slips a malformed record in after every {@code badEvery} events, so the dead-letter
 * path shows in the demo without replacing a real event.
 */
public final class KafkaFeeder implements Runnable {

  private static final int CHECK_EVERY = 1_000;

  private final DemoFeed feed;
  private final String bootstrapServers;
  private final KafkaClientProperties clientProperties;
  private final String topic;
  private volatile double eventsPerSecond;
  private volatile boolean rateChanged;
  private volatile long holdAfter = Long.MAX_VALUE;
  private final long badEvery;
  private final AtomicLong sent = new AtomicLong();
  private final AtomicLong malformedSent = new AtomicLong();
  private final AtomicBoolean stop = new AtomicBoolean();
  private final AtomicBoolean done = new AtomicBoolean();
  private final List<BehaviorEvent> recentEvents = new ArrayList<>();
  private volatile Throwable failure;
  private String requestsTopic;
  private ServedImpressions served;
  private final AtomicLong servedRequests = new AtomicLong();

  /**
   * @param clientProperties the cluster's client properties (security), as the job has them
   * @param eventsPerSecond target rate; 0 or less sends as fast as the broker takes them
   * @param badEvery after every this many events send one malformed record; 0 never
   */
  public KafkaFeeder(
      DemoFeed feed,
      String bootstrapServers,
      KafkaClientProperties clientProperties,
      String topic,
      double eventsPerSecond,
      long badEvery) {
    this.feed = feed;
    this.bootstrapServers = bootstrapServers;
    this.clientProperties = clientProperties;
    this.topic = topic;
    this.eventsPerSecond = eventsPerSecond;
    this.badEvery = badEvery;
  }

  /**
   * Before the feeder starts: ask {@code served}'s ad server for the scores of its impressions, on
   * {@code requestsTopic}, each request sent before its impression.
   */
  public void askBeforeImpressions(String requestsTopic, ServedImpressions served) {
    this.requestsTopic = java.util.Objects.requireNonNull(requestsTopic);
    this.served = java.util.Objects.requireNonNull(served);
  }

  @Override
  public void run() {
    AvroCodec<BehaviorEvent> codec = AvroCodec.behaviorEvents();
    AvroCodec<AdRequest> requestCodec = AvroCodec.adRequests();
    long start = System.nanoTime();
    long base = 0;
    List<Future<RecordMetadata>> inFlight = new ArrayList<>(CHECK_EVERY + 1);
    try (KafkaProducer<byte[], byte[]> producer =
        KafkaClients.producer(bootstrapServers, clientProperties)) {
      // One event per window is remembered for the request drivers, at a position that moves
      // from window to window: always taking the window's last event picked the same few users
      // whenever the feed cycles through users in a period dividing the window.
      SplittableRandom positions = new SplittableRandom(1);
      long pickAt = positions.nextInt(CHECK_EVERY);
      BehaviorEvent picked = null;
      while (!stop.get() && feed.events().hasNext()) {
        BehaviorEvent event = feed.events().next();
        byte[] key = Long.toString(event.getUserId()).getBytes(StandardCharsets.UTF_8);
        if (served != null) {
          Optional<AdRequest> request = served.requestBefore(event);
          if (request.isPresent()) {
            inFlight.add(
                KafkaClients.send(
                    producer, requestsTopic, key, requestCodec.encode(request.get())));
            servedRequests.incrementAndGet();
          }
        }
        inFlight.add(KafkaClients.send(producer, topic, key, codec.encode(event)));
        long n = sent.incrementAndGet();
        if (n % CHECK_EVERY == pickAt) {
          picked = event;
        }
        if (badEvery > 0 && n % badEvery == 0) {
          byte[] garbage = ("malformed record after event " + n).getBytes(StandardCharsets.UTF_8);
          inFlight.add(KafkaClients.send(producer, topic, key, garbage));
          malformedSent.incrementAndGet();
        }
        if (n == holdAfter) {
          KafkaClients.awaitAll(inFlight);
          inFlight.clear();
          remember(event);
          while (!rateChanged && !stop.get()) {
            Thread.sleep(10);
          }
          start = System.nanoTime();
          base = n;
        }
        if (n % CHECK_EVERY == 0) {
          KafkaClients.awaitAll(inFlight);
          inFlight.clear();
          // Acknowledged above: a request for this user finds its behaviors in Kafka.
          remember(picked != null ? picked : event);
          picked = null;
          pickAt = positions.nextInt(CHECK_EVERY);
          if (rateChanged) {
            rateChanged = false;
            start = System.nanoTime();
            base = n;
          }
          pace(start, n - base);
        }
      }
      KafkaClients.awaitAll(inFlight);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      failure = e;
    } finally {
      done.set(true);
    }
  }

  private void pace(long start, long n) throws InterruptedException {
    if (eventsPerSecond <= 0) {
      return;
    }
    long dueNanos = (long) (n / eventsPerSecond * 1e9);
    long aheadNanos = dueNanos - (System.nanoTime() - start);
    if (aheadNanos > 0) {
      Thread.sleep(aheadNanos / 1_000_000, (int) (aheadNanos % 1_000_000));
    }
  }

  private synchronized void remember(BehaviorEvent event) {
    if (recentEvents.size() >= 64) {
      recentEvents.remove(0);
    }
    recentEvents.add(event);
  }

  /** One of the recently sent events (its user is active), or null before the first. */
  public synchronized BehaviorEvent recentEvent(int pick) {
    return recentEvents.isEmpty()
        ? null
        : recentEvents.get(Math.floorMod(pick, recentEvents.size()));
  }

  /**
   * Before the feeder starts: after {@code events} sent, wait for the next {@link #setRate} before
   * sending more, so a preload sent flat out does not run on into the events meant to be paced.
   */
  public void holdAfter(long events) {
    this.holdAfter = events;
  }

  /** Changes the target rate from now on (0 = as fast as possible). */
  public void setRate(double eventsPerSecond) {
    this.eventsPerSecond = eventsPerSecond;
    this.rateChanged = true;
  }

  public long sent() {
    return sent.get();
  }

  /** Requests sent ahead of impressions (see {@link #askBeforeImpressions}). */
  public long servedRequests() {
    return servedRequests.get();
  }

  public long malformedSent() {
    return malformedSent.get();
  }

  public boolean isDone() {
    return done.get();
  }

  /** Why the feeder stopped early, or null. */
  public Throwable failure() {
    return failure;
  }

  public void stop() {
    stop.set(true);
  }
}
