package io.tinstream.app.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.tinstream.streaming.TinstreamOptions;
import io.tinstream.streaming.kafka.KafkaEndpoints;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.configuration.ConfigOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The deployment in {@code docker-compose.yml} is only as safe as what it publishes and only works
 * if it creates what the default job needs; no engine runs here, so the file itself is checked.
 */
class ComposeFileTest {

  private static final Pattern TOPIC_CREATION =
      Pattern.compile("--topic (\\S+).*--config max\\.message\\.bytes=(\\d+)");

  private static JsonNode services;

  @BeforeAll
  static void readComposeFile() throws IOException {
    Path file = Path.of("..", "docker-compose.yml");
    assertThat(file).as("docker-compose.yml at the repository root").exists();
    services = new ObjectMapper(new YAMLFactory()).readTree(Files.readString(file)).get("services");
  }

  @Test
  void everyPortIsPublishedOnLoopbackOnly() {
    List<String> ports = new ArrayList<>();
    services.forEach(s -> s.path("ports").forEach(p -> ports.add(p.asText())));
    assertThat(ports).isNotEmpty().allSatisfy(p -> assertThat(p).startsWith("127.0.0.1:"));
  }

  @Test
  void theRestApiTakesNoJarUploadsAndCheckpointsOutliveACancel() {
    Map<String, String> flink = flinkProperties("jobmanager");
    assertThat(flink).containsEntry("web.submit.enable", "false");
    assertThat(flink)
        .containsEntry(
            "execution.checkpointing.externalized-checkpoint-retention", "RETAIN_ON_CANCELLATION");
  }

  @Test
  void everyTopicTheDefaultJobUsesIsCreatedLargeEnoughForAModelSnapshot() throws Exception {
    Map<String, Long> created = new HashMap<>();
    for (String line : services.get("topics").get("command").get(0).asText().split("\n")) {
      Matcher m = TOPIC_CREATION.matcher(line);
      if (m.find()) {
        created.put(m.group(1), Long.parseLong(m.group(2)));
      }
    }
    assertThat(created).containsOnlyKeys(defaultTopics());
    assertThat(created.values())
        .allSatisfy(
            b -> assertThat(b).isGreaterThanOrEqualTo((long) KafkaEndpoints.MAX_RECORD_BYTES));
  }

  @Test
  void longRunningServicesRestart() {
    for (String name : List.of("kafka", "jobmanager", "taskmanager")) {
      assertThat(services.get(name).path("restart").asText()).as(name).isEqualTo("unless-stopped");
    }
  }

  /**
   * The non-empty defaults of every topic setting: the topics a job started without settings uses.
   */
  private static List<String> defaultTopics() throws IllegalAccessException {
    List<String> topics = new ArrayList<>();
    for (Field f : TinstreamOptions.class.getFields()) {
      if (Modifier.isStatic(f.getModifiers()) && f.get(null) instanceof ConfigOption<?> option) {
        if (option.key().startsWith("tinstream.topics.")
            && option.hasDefaultValue()
            && !option.defaultValue().toString().isEmpty()) {
          topics.add(option.defaultValue().toString());
        }
      }
    }
    return topics;
  }

  private static Map<String, String> flinkProperties(String service) {
    Map<String, String> properties = new HashMap<>();
    String text = services.get(service).get("environment").get("FLINK_PROPERTIES").asText();
    for (String line : text.split("\n")) {
      int colon = line.indexOf(':');
      if (colon > 0) {
        properties.put(line.substring(0, colon).trim(), line.substring(colon + 1).trim());
      }
    }
    return properties;
  }
}
