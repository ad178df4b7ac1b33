package io.tinstream.streaming.restore;

import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.execution.SuppressRestartsException;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Passes records through unchanged and keeps the job's {@link RestoreSensitiveSettings} in its
 * checkpoints; a restore whose settings differ from the checkpoint's fails, before any state is
 * used, with a message that names each setting, its old and new value, and how to proceed.
 *
 * <p>Chained right after the operator whose state the settings describe (the trainer): Flink
 * initializes a chain from its tail, so this check runs before that operator imports anything. The
 * failure suppresses restarts: a restart would only fail the same way.
 */
public final class RestoreGuard<T> implements MapFunction<T, T>, CheckpointedFunction {
  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(RestoreGuard.class);

  /** Union state: every subtask sees the recorded settings whatever the parallelism. */
  static final ListStateDescriptor<String> RECORDED =
      new ListStateDescriptor<>("restore-sensitive-settings", Types.STRING);

  private final RestoreSensitiveSettings current;
  private transient ListState<String> recorded;

  public RestoreGuard(RestoreSensitiveSettings current) {
    this.current = current;
  }

  @Override
  public void initializeState(FunctionInitializationContext context) throws Exception {
    recorded = context.getOperatorStateStore().getUnionListState(RECORDED);
    if (!context.isRestored()) {
      return;
    }
    List<String> lines = new ArrayList<>();
    recorded.get().forEach(lines::add);
    if (lines.isEmpty()) {
      // A checkpoint from before the settings were recorded: nothing to compare with.
      LOG.warn("restored state records no restore-sensitive settings; not checked");
      return;
    }
    // Each subtask of the checkpointing job wrote the same lines; any copy will do.
    List<String> changes = current.changesFrom(RestoreSensitiveSettings.decode(distinct(lines)));
    if (!changes.isEmpty()) {
      throw new SuppressRestartsException(new IllegalStateException(refusal(changes)));
    }
  }

  /** The message a refused restore fails with. */
  static String refusal(List<String> changes) {
    return "Refusing to restore: the state was written with other settings that it depends on: "
        + String.join("; ", changes)
        + ". Restore with the values the state was written with; to change them, drop the variant"
        + " from tinstream.models.variants, restore, take a savepoint, then add it back with the"
        + " new values (it starts afresh), or start the job without the savepoint.";
  }

  private static List<String> distinct(List<String> lines) {
    return new ArrayList<>(new java.util.LinkedHashSet<>(lines));
  }

  @Override
  public T map(T value) {
    return value;
  }

  @Override
  public void snapshotState(FunctionSnapshotContext context) throws Exception {
    recorded.update(current.encode());
  }
}
