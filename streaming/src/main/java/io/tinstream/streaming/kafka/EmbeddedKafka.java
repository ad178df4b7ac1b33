package io.tinstream.streaming.kafka;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.Feature;
import org.apache.kafka.server.common.MetadataVersion;

/**
 * A real single-node Kafka broker (KRaft, combined broker + controller) inside this JVM, for the
 * embedded demo and the integration tests. It listens on loopback only, on free ports.
 */
public final class EmbeddedKafka implements AutoCloseable {

  private static final Duration TOPIC_READY_TIMEOUT = Duration.ofSeconds(30);

  private final Path logDir;
  private final boolean deleteOnClose;
  private final int brokerPort;
  private final KafkaConfig config;
  // Null while stopped; a stopped KafkaRaftServer cannot start again, so a restart makes another.
  private KafkaRaftServer server;
  private final KafkaClientProperties clientProperties;

  /**
   * A user of a broker whose client listener authenticates with SASL/PLAIN (credentials in the
   * broker's JAAS configuration).
   */
  public record SaslPlainUser(String name, String password) {
    /** Masked: the password never prints. */
    @Override
    public String toString() {
      return "SaslPlainUser[" + name + "]";
    }
  }

  private EmbeddedKafka(Path logDir, boolean deleteOnClose) throws Exception {
    this(logDir, deleteOnClose, null);
  }

  /**
   * @param saslUser null: a PLAINTEXT listener without authentication
   */
  private EmbeddedKafka(Path logDir, boolean deleteOnClose, SaslPlainUser saslUser)
      throws Exception {
    this.logDir = logDir;
    this.deleteOnClose = deleteOnClose;
    this.brokerPort = freePort();
    int controllerPort = freePort();
    Properties props = new Properties();
    props.put("process.roles", "broker,controller");
    props.put("node.id", "1");
    props.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
    props.put(
        "listeners",
        "PLAINTEXT://127.0.0.1:" + brokerPort + ",CONTROLLER://127.0.0.1:" + controllerPort);
    props.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + brokerPort);
    props.put("controller.listener.names", "CONTROLLER");
    props.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
    props.put("inter.broker.listener.name", "PLAINTEXT");
    props.put("log.dirs", logDir.toString());
    props.put("offsets.topic.replication.factor", "1");
    props.put("offsets.topic.num.partitions", "1");
    props.put("transaction.state.log.replication.factor", "1");
    props.put("transaction.state.log.min.isr", "1");
    props.put("transaction.state.log.num.partitions", "1");
    props.put("group.initial.rebalance.delay.ms", "0");
    // Exactly-once sinks need transactions that may span a checkpoint interval.
    props.put("transaction.max.timeout.ms", "900000");
    props.put("auto.create.topics.enable", "false");
    props.put("message.max.bytes", String.valueOf(KafkaEndpoints.MAX_RECORD_BYTES));
    props.put("replica.fetch.max.bytes", String.valueOf(KafkaEndpoints.MAX_RECORD_BYTES));
    props.put("log.flush.interval.messages", String.valueOf(Long.MAX_VALUE));
    this.clientProperties =
        saslUser == null ? KafkaClientProperties.NONE : saslPlain(props, controllerPort, saslUser);
    this.config = new KafkaConfig(props, false);
    format(logDir);
    this.server = new KafkaRaftServer(config, Time.SYSTEM);
    server.startup();
  }

  /**
   * Stops the broker, keeping its log directory and ports: clients see a broker outage until {@link
   * #restart()}. Idempotent.
   */
  public synchronized void stop() {
    if (server != null) {
      server.shutdown();
      server.awaitShutdown();
      server = null;
    }
  }

  /**
   * Starts the broker again on the same log directory (its topics, records, committed offsets and
   * transactions) and the same ports, so {@link #bootstrapServers()} stays valid; stops it first if
   * it runs.
   */
  public synchronized void restart() {
    stop();
    KafkaRaftServer restarted = new KafkaRaftServer(config, Time.SYSTEM);
    restarted.startup();
    server = restarted;
  }

  /**
   * Starts a broker whose one client listener takes SASL_PLAINTEXT with mechanism PLAIN and accepts
   * only {@code user} (the broker's own connections use a second, internal user); temporary
   * directory, deleted on close. {@link #clientProperties} are that user's.
   */
  public static EmbeddedKafka startWithSaslPlain(SaslPlainUser user) throws Exception {
    return new EmbeddedKafka(Files.createTempDirectory("tinstream-kafka-"), true, user);
  }

  /**
   * Turns the broker's listener into SASL_PLAINTEXT/PLAIN: the same port, the controller's listener
   * left PLAINTEXT. The broker reaches itself (transaction markers) through the listener too, so it
   * logs in as an internal user.
   *
   * @return the properties a client of {@code user} needs
   */
  private KafkaClientProperties saslPlain(
      Properties props, int controllerPort, SaslPlainUser user) {
    String brokerPassword = Uuid.randomUuid().toString();
    props.put(
        "listeners",
        "SASL_PLAINTEXT://127.0.0.1:" + brokerPort + ",CONTROLLER://127.0.0.1:" + controllerPort);
    props.put("advertised.listeners", "SASL_PLAINTEXT://127.0.0.1:" + brokerPort);
    props.put(
        "listener.security.protocol.map", "SASL_PLAINTEXT:SASL_PLAINTEXT,CONTROLLER:PLAINTEXT");
    props.put("inter.broker.listener.name", "SASL_PLAINTEXT");
    props.put("sasl.enabled.mechanisms", "PLAIN");
    props.put("sasl.mechanism.inter.broker.protocol", "PLAIN");
    props.put(
        "listener.name.sasl_plaintext.plain.sasl.jaas.config",
        "org.apache.kafka.common.security.plain.PlainLoginModule required"
            + " username=\"tinstream-broker\" password=\""
            + brokerPassword
            + "\" user_tinstream-broker=\""
            + brokerPassword
            + "\" user_"
            + user.name()
            + "=\""
            + user.password()
            + "\";");
    return saslPlainClient(user.name(), user.password());
  }

  /** The client properties of a SASL_PLAINTEXT/PLAIN login as {@code name}. */
  public static KafkaClientProperties saslPlainClient(String name, String password) {
    return KafkaClientProperties.of(
        Map.of(
            "security.protocol",
            "SASL_PLAINTEXT",
            "sasl.mechanism",
            "PLAIN",
            "sasl.jaas.config",
            "org.apache.kafka.common.security.plain.PlainLoginModule required username=\""
                + name
                + "\" password=\""
                + password
                + "\";"));
  }

  /** Starts a broker on a fresh temporary directory, deleted on close. */
  public static EmbeddedKafka start() throws Exception {
    return new EmbeddedKafka(Files.createTempDirectory("tinstream-kafka-"), true);
  }

  public String bootstrapServers() {
    return "127.0.0.1:" + brokerPort;
  }

  /** What a client needs besides the bootstrap servers: none for PLAINTEXT, else the login. */
  public KafkaClientProperties clientProperties() {
    return clientProperties;
  }

  /** Creates topics (idempotent) and waits until every partition has a leader. */
  public void createTopics(int partitions, Collection<String> topics) {
    createTopics(partitions, topics, Map.of());
  }

  /** Creates compacted topics (idempotent), e.g. for the taxonomy. */
  public void createCompactedTopics(int partitions, Collection<String> topics) {
    createTopics(
        partitions,
        topics,
        Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
  }

  private void createTopics(int partitions, Collection<String> topics, Map<String, String> cfg) {
    try (Admin admin = admin()) {
      List<NewTopic> newTopics =
          topics.stream().map(t -> new NewTopic(t, partitions, (short) 1).configs(cfg)).toList();
      try {
        admin
            .createTopics(newTopics)
            .all()
            .get(TOPIC_READY_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof TopicExistsException)) {
          throw e;
        }
      }
      awaitLeaders(admin, topics);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while creating topics " + topics, e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("cannot create topics " + topics + ": " + e, e);
    }
  }

  public Admin admin() {
    Properties props = clientProperties.toProperties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    return Admin.create(props);
  }

  private static void awaitLeaders(Admin admin, Collection<String> topics)
      throws InterruptedException, ExecutionException, TimeoutException {
    long deadline = System.nanoTime() + TOPIC_READY_TIMEOUT.toNanos();
    while (true) {
      Map<String, TopicDescription> descriptions;
      try {
        descriptions = admin.describeTopics(topics).allTopicNames().get(5, TimeUnit.SECONDS);
      } catch (ExecutionException e) {
        descriptions = Map.of();
      }
      boolean ready =
          descriptions.size() == topics.size()
              && descriptions.values().stream()
                  .allMatch(d -> d.partitions().stream().allMatch(p -> p.leader() != null));
      if (ready) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new TimeoutException("partitions of " + topics + " got no leader in time");
      }
      Thread.sleep(50);
    }
  }

  private static void format(Path logDir) throws Exception {
    Formatter formatter =
        new Formatter()
            .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
            .setNodeId(1)
            .setClusterId(Uuid.randomUuid().toString())
            .setSupportedFeatures(Feature.PRODUCTION_FEATURES)
            .setReleaseVersion(MetadataVersion.latestProduction())
            .setControllerListenerName("CONTROLLER")
            .setMetadataLogDirectory(logDir.toString())
            .setIgnoreFormatted(true);
    formatter.addDirectory(logDir.toString());
    formatter.run();
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    }
  }

  @Override
  public void close() {
    stop();
    if (deleteOnClose) {
      deleteRecursively(logDir);
    }
  }

  private static void deleteRecursively(Path dir) {
    try (var paths = Files.walk(dir)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
