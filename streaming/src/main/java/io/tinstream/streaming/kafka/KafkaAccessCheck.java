package io.tinstream.streaming.kafka;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;

/**
 * Connects to the cluster once, with the clients' properties, before the job starts: refused
 * credentials are then one clear error naming authentication, instead of sources and sinks failing
 * task after task through the restart strategy; a cluster that does not answer (down, or a listener
 * of another security protocol) is an error after a bounded wait, not a hang.
 */
public final class KafkaAccessCheck {

  private KafkaAccessCheck() {}

  /**
   * @throws IllegalStateException saying why the cluster cannot be used: authentication refused,
   *     not authorized, or no answer within {@code timeout}
   */
  public static void verify(
      String bootstrapServers, KafkaClientProperties client, Duration timeout) {
    int timeoutMs = (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
    Map<String, Object> config =
        client.over(
            Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrapServers,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
                timeoutMs,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG,
                timeoutMs));
    Admin admin = Admin.create(config);
    try {
      admin.describeCluster().clusterId().get(timeoutMs, TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw failure(bootstrapServers, client, timeout, e.getCause());
    } catch (TimeoutException e) {
      throw failure(bootstrapServers, client, timeout, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while connecting to Kafka", e);
    } finally {
      admin.close(Duration.ZERO);
    }
  }

  private static IllegalStateException failure(
      String bootstrapServers, KafkaClientProperties client, Duration timeout, Throwable cause) {
    String protocol =
        orDefault(client.describe(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG), "PLAINTEXT");
    String where =
        "Kafka at "
            + bootstrapServers
            + " (security.protocol="
            + protocol
            + (protocol.toUpperCase(java.util.Locale.ROOT).startsWith("SASL")
                ? ", sasl.mechanism=" + orDefault(client.describe("sasl.mechanism"), "GSSAPI")
                : "")
            + ")";
    if (cause instanceof AuthenticationException) {
      return new IllegalStateException(
          where
              + " refused authentication: "
              + cause.getMessage()
              + "; check the credentials in "
              + KafkaClientProperties.PREFIX
              + "sasl.jaas.config (or the ssl.* settings)",
          cause);
    }
    if (cause instanceof AuthorizationException) {
      return new IllegalStateException(
          where + " authenticated the job but does not authorize it: " + cause.getMessage(), cause);
    }
    if (cause instanceof TimeoutException
        || cause instanceof org.apache.kafka.common.errors.TimeoutException) {
      return new IllegalStateException(
          where
              + " did not answer within "
              + timeout
              + " (tinstream.kafka.connect-timeout): is it up, and does its listener use that"
              + " security protocol?",
          cause);
    }
    return new IllegalStateException(where + " cannot be used: " + cause, cause);
  }

  private static String orDefault(String value, String fallback) {
    return value.isEmpty() ? fallback : value;
  }
}
