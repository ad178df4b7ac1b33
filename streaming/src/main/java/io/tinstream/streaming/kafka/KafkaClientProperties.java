package io.tinstream.streaming.kafka;

import java.io.Serializable;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.apache.flink.configuration.GlobalConfiguration;

/**
 * The Kafka client properties every client of tinstream adds to its own (the job's sources and
 * sinks, the admin clients, the demo's and the benchmarks' feeders and readers): security above all
 * ({@code security.protocol}, {@code sasl.*}, {@code ssl.*}). They come from the settings named
 * {@value #PREFIX}{@code <kafka property>}; every client takes them from here, so none connects
 * without them.
 *
 * <p>Values of secret keys ({@link #isSecret}) never print: {@link #toString}, {@link #masked} and
 * every error message here show {@value #MASK} in their place.
 */
public final class KafkaClientProperties implements Serializable {

  private static final long serialVersionUID = 1L;

  /** Settings with this prefix are Kafka client properties, the prefix dropped. */
  public static final String PREFIX = "tinstream.kafka.properties.";

  /** What a secret value prints as. */
  public static final String MASK = "******";

  /** No properties: a plaintext cluster without authentication. */
  public static final KafkaClientProperties NONE = new KafkaClientProperties(Map.of());

  /**
   * Fragments of key names whose values are secrets: Kafka's passwords, JAAS configurations (they
   * hold passwords), tokens, private keys and their passwords. Broader than Kafka's own PASSWORD
   * type on purpose: a key that is not secret but matches (ssl.keystore.location) only loses its
   * value in printouts.
   */
  private static final List<String> SECRET_FRAGMENTS =
      List.of("password", "secret", "jaas", "token", "key", "credential");

  /**
   * Properties tinstream sets itself, from its own settings or because exactly-once depends on
   * them; one given here would be overridden or would break delivery, so it is refused.
   */
  private static final Map<String, String> MANAGED =
      Map.of(
          "bootstrap.servers", "set tinstream.kafka.bootstrap-servers",
          "group.id", "set tinstream.kafka.group-id",
          "transactional.id", "set tinstream.kafka.transactional-id-prefix",
          "isolation.level", "the job reads committed records only",
          "enable.auto.commit", "the sources commit offsets at checkpoints",
          "enable.idempotence", "the sinks need an idempotent producer",
          "key.serializer", "tinstream serializes records itself",
          "value.serializer", "tinstream serializes records itself",
          "key.deserializer", "tinstream deserializes records itself",
          "value.deserializer", "tinstream deserializes records itself");

  private final Map<String, String> properties;

  private KafkaClientProperties(Map<String, String> properties) {
    this.properties = Collections.unmodifiableMap(new TreeMap<>(properties));
  }

  /**
   * The properties among {@code settings}: every key with {@value #PREFIX}, the prefix dropped;
   * other keys are ignored.
   *
   * @throws IllegalArgumentException naming the setting, for an empty property name or one that
   *     tinstream manages itself
   */
  public static KafkaClientProperties fromSettings(Map<String, String> settings) {
    Map<String, String> found = new LinkedHashMap<>();
    for (Map.Entry<String, String> e : settings.entrySet()) {
      if (e.getKey().startsWith(PREFIX)) {
        String name = e.getKey().substring(PREFIX.length()).trim();
        check(e.getKey(), name);
        found.put(name, e.getValue());
      }
    }
    return new KafkaClientProperties(found);
  }

  /** Exactly these client properties (names without the prefix), checked as by fromSettings. */
  public static KafkaClientProperties of(Map<String, String> properties) {
    properties.keySet().forEach(name -> check(PREFIX + name, name));
    return new KafkaClientProperties(properties);
  }

  private static void check(String setting, String name) {
    if (name.isEmpty()) {
      throw new IllegalArgumentException(
          "invalid setting " + setting + ": no Kafka property named after " + PREFIX);
    }
    String reason = MANAGED.get(name);
    if (reason != null) {
      throw new IllegalArgumentException(
          "invalid setting " + setting + ": tinstream sets " + name + " itself (" + reason + ")");
    }
  }

  /**
   * Whether the value of the Kafka property or setting {@code key} is a secret that must not print.
   * Flink masks what {@link GlobalConfiguration#isSensitive} names in its own configuration views;
   * this masks at least that.
   */
  public static boolean isSecret(String key) {
    String lower = key.toLowerCase(Locale.ROOT);
    return GlobalConfiguration.isSensitive(key)
        || SECRET_FRAGMENTS.stream().anyMatch(lower::contains);
  }

  /** {@code value}, or {@value #MASK} when {@code key} is secret. */
  public static String shown(String key, String value) {
    return isSecret(key) ? MASK : value;
  }

  public boolean isEmpty() {
    return properties.isEmpty();
  }

  /** The properties by Kafka name, with their real values: for clients only, never to print. */
  public Map<String, String> asMap() {
    return properties;
  }

  /** Adds the properties to a client's {@code config}, over what it already holds. */
  public <M extends Map<? super String, ? super String>> M addTo(M config) {
    config.putAll(properties);
    return config;
  }

  /** A client configuration: {@code base} with these properties over it. */
  public Map<String, Object> over(Map<String, Object> base) {
    Map<String, Object> config = new LinkedHashMap<>(base);
    config.putAll(properties);
    return config;
  }

  /** As Java properties, with the real values. */
  public Properties toProperties() {
    return addTo(new Properties());
  }

  /** The settings these come from, by setting key, secret values masked: for printouts. */
  public Map<String, String> maskedSettings() {
    Map<String, String> shown = new TreeMap<>();
    properties.forEach((name, value) -> shown.put(PREFIX + name, shown(name, value)));
    return shown;
  }

  /** The properties by Kafka name, secret values masked. */
  public Map<String, String> masked() {
    Map<String, String> shown = new TreeMap<>();
    properties.forEach((name, value) -> shown.put(name, shown(name, value)));
    return shown;
  }

  /** A property's value, for messages: masked when secret, empty when not set. */
  public String describe(String name) {
    String value = properties.get(name);
    return value == null ? "" : shown(name, value);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof KafkaClientProperties other && properties.equals(other.properties);
  }

  @Override
  public int hashCode() {
    return properties.hashCode();
  }

  /** Masked: safe in logs and exceptions. */
  @Override
  public String toString() {
    return masked().toString();
  }
}
