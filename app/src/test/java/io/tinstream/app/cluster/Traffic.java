package io.tinstream.app.cluster;

import io.tinstream.schemas.AdRequest;
import io.tinstream.schemas.AvroCodec;
import io.tinstream.schemas.BehaviorEvent;
import io.tinstream.schemas.ItemFields;
import io.tinstream.streaming.kafka.KafkaClients;
import io.tinstream.training.data.SyntheticTaxonomy;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * Behaviors and ad requests flowing at a steady pace from a thread of their own, so a crash can
 * land while both are in flight: the behaviors in chunks, an ad request after each chunk for one of
 * the chunk's users, dated just after the chunk. Every request id sent is kept.
 */
final class Traffic implements Runnable {

  private final String bootstrap;
  private final String behaviors;
  private final String requests;
  private final List<BehaviorEvent> events;
  private final int chunk;
  private final long pauseMillis;
  private final SyntheticTaxonomy taxonomy;
  private final int candidates;
  private final SplittableRandom random = new SplittableRandom(21);
  private final Set<String> sent = ConcurrentHashMap.newKeySet();
  private final AtomicInteger chunksSent = new AtomicInteger();
  private final String prefix;
  private volatile Throwable failure;
  private volatile boolean done;

  Traffic(
      String bootstrap,
      String behaviors,
      String requests,
      List<BehaviorEvent> events,
      int chunk,
      long pauseMillis,
      SyntheticTaxonomy taxonomy,
      int candidates,
      String prefix) {
    this.bootstrap = bootstrap;
    this.behaviors = behaviors;
    this.requests = requests;
    this.events = events;
    this.chunk = chunk;
    this.pauseMillis = pauseMillis;
    this.taxonomy = taxonomy;
    this.candidates = candidates;
    this.prefix = prefix;
  }

  @Override
  public void run() {
    AvroCodec<BehaviorEvent> codec = AvroCodec.behaviorEvents();
    try (KafkaProducer<byte[], byte[]> producer = KafkaClients.producer(bootstrap)) {
      for (int from = 0; from < events.size(); from += chunk) {
        List<BehaviorEvent> part = events.subList(from, Math.min(events.size(), from + chunk));
        List<Future<RecordMetadata>> sends = new ArrayList<>();
        for (BehaviorEvent e : part) {
          sends.add(KafkaClients.send(producer, behaviors, key(e.getUserId()), codec.encode(e)));
        }
        BehaviorEvent last = part.get(part.size() - 1);
        AdRequest request = request(prefix + chunksSent.get(), last);
        sends.add(
            KafkaClients.send(
                producer,
                requests,
                key(request.getUserId()),
                AvroCodec.adRequests().encode(request)));
        KafkaClients.awaitAll(sends);
        sent.add(request.getRequestId().toString());
        chunksSent.incrementAndGet();
        Thread.sleep(pauseMillis);
      }
    } catch (Throwable t) {
      failure = t;
    } finally {
      done = true;
    }
  }

  /** Only ad requests, one for each of {@code ats}' users, dated just after it; no behaviors. */
  void requestsFor(List<BehaviorEvent> ats) {
    try (KafkaProducer<byte[], byte[]> producer = KafkaClients.producer(bootstrap)) {
      List<Future<RecordMetadata>> sends = new ArrayList<>();
      List<String> ids = new ArrayList<>();
      for (BehaviorEvent at : ats) {
        AdRequest request = request(prefix + ids.size(), at);
        ids.add(request.getRequestId().toString());
        sends.add(
            KafkaClients.send(
                producer,
                requests,
                key(request.getUserId()),
                AvroCodec.adRequests().encode(request)));
      }
      KafkaClients.awaitAll(sends);
      sent.addAll(ids);
    }
  }

  /** An ad request of {@code at}'s user, dated just after {@code at}. */
  AdRequest request(String id, BehaviorEvent at) {
    List<ItemFields> items = new ArrayList<>();
    for (int c = 0; c < candidates; c++) {
      items.add(taxonomy.fullItem(random.nextInt(taxonomy.items())));
    }
    return AdRequest.newBuilder()
        .setRequestId(id)
        .setUserId(at.getUserId())
        .setRequestTime(Instant.ofEpochMilli(at.getEventTime().toEpochMilli() + 1))
        .setScenario(1)
        .setCandidates(items)
        .build();
  }

  int chunksSent() {
    return chunksSent.get();
  }

  int chunks() {
    return (events.size() + chunk - 1) / chunk;
  }

  boolean isDone() {
    return done;
  }

  Throwable failure() {
    return failure;
  }

  Set<String> requestsSent() {
    return Set.copyOf(sent);
  }

  static byte[] key(long user) {
    return Long.toString(user).getBytes(StandardCharsets.UTF_8);
  }
}
