import io
from types import SimpleNamespace

import numpy as np

from src.callbacks import ProgressMonitor


class _Ctx:
    def __init__(self, cb):
        self.cb = cb

    def original_args(self):
        return self.cb


def test_progress_counts_the_rows_of_each_batch():
    """Batches of long buckets are smaller under max_batch_tokens: samples/s counts real rows,
    and the seed's loss line and the epoch summary are printed."""
    out = io.StringIO()
    mon = ProgressMonitor(steps_per_epoch=3, batch_size=64, num_epochs=1, log_interval=2, stream=out)
    cb = SimpleNamespace(cur_epoch_num=1, cur_step_num=0, net_outputs=None, train_dataset_element=None)
    mon.on_train_epoch_begin(_Ctx(cb))
    for step, (rows, loss) in enumerate([(64, 0.7), (40, 0.6), (10, 0.5)], 1):
        cb.cur_step_num = step
        cb.net_outputs = np.float32(loss)
        cb.train_dataset_element = [np.zeros((rows, 400), np.int32)]
        mon.on_train_step_end(_Ctx(cb))
    mon.on_train_epoch_end(_Ctx(cb))
    assert mon.samples == 114
    assert mon.samples_per_s[1] > 0
    assert abs(mon.samples_per_s[1] * mon.epoch_time[1] - 114) < 1e-6
    assert abs(mon.epoch_loss[1] - 0.6) < 1e-6
    text = out.getvalue()
    assert "epoch 1/1 step 2/3 loss 0.6500" in text
    assert "epoch: 1 step: 3, loss is 0.5000000" in text
