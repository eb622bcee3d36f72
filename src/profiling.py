"""Profile a few training steps with mindspore.profiler (enable_profiling true)."""
from mindspore.train import Callback


class StepProfiler(Callback):
    def __init__(self, out_dir, start_step=2, num_steps=5):
        super().__init__()
        self.out_dir, self.start, self.stop = out_dir, start_step, start_step + num_steps
        self.profiler = None

    def on_train_step_begin(self, run_context):
        step = run_context.original_args().cur_step_num
        if step == self.start and self.profiler is None:
            from mindspore import Profiler
            self.profiler = Profiler(output_path=self.out_dir, start_profile=False)
            self.profiler.start()

    def on_train_step_end(self, run_context):
        step = run_context.original_args().cur_step_num
        if self.profiler is not None and step == self.stop - 1:
            self.profiler.stop()
            self.profiler.analyse()
            self.profiler = None
            print(f"profiling: trace of steps {self.start}-{self.stop - 1} written to {self.out_dir}")
