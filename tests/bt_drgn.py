# drgn script for tests/bt_drgn.sh: each CPU's current task's stack as the
# program counters of its physical frames (drgn lists inlined calls as
# frames of their own with the same pc and sp; those are one frame,
# named by its physical function), and the names drgn gives them.
from drgn.helpers.linux.percpu import per_cpu

for cpu in range(int(prog["nr_cpu_ids"])):
    try:
        task = per_cpu(prog["runqueues"], cpu).curr
        pcs, names = [], []
        for f in prog.stack_trace(task):
            if pcs and pcs[-1] == f.pc and f.sp == last_sp:
                names[-1] = f.name or hex(f.pc)  # the physical function
                continue
            pcs.append(f.pc)
            last_sp = f.sp
            names.append(f.name or hex(f.pc))
        print("CPU", cpu, "TASK", hex(task.value_()), "PCS",
              " ".join(hex(p) for p in pcs), "NAMES", " ".join(names))
    except Exception as e:
        print("CPU", cpu, "ERROR", e)
