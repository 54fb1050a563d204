# drgn script for tests/kernel_versions.sh: what drgn, with the kernel's
# debug vmlinux, sees in a dump (converted by guestcore, so that each
# vCPU's registers carry its current task's pid):
#   TASK pid comm              every task on init_task's list
#   STATE pid st               its state as crash's ps prints it (RU, IN,
#                              UN, ID, ...: task_state_to_char mapped)
#   MOD name base              every module on the modules list
#   LOG n                      printk records
#   LOGLAST text               the last record's text
#   BT pid task pc...          each task's physical kernel frames (inlined
#                              calls folded into their frame, as
#                              bt_drgn.py does; a user-space pc ends it)
#   BTERR pid task message     drgn could not unwind it
#   XTIME sec                  the core timekeeper's xtime_sec (tk_core,
#                              timekeeper_data[0] on 7.x)
from drgn.helpers.linux.list import list_for_each_entry
from drgn.helpers.linux.pid import for_each_task
from drgn.helpers.linux.printk import get_printk_records
from drgn.helpers.linux.percpu import per_cpu
from drgn.helpers.linux.sched import task_state_to_char

CRASH_ST = {"R": "RU", "S": "IN", "D": "UN", "T": "ST", "t": "TR",
            "X": "DE", "Z": "ZO", "P": "PA", "I": "ID"}

tasks = list(for_each_task(prog))
for t in tasks:
    print("TASK", int(t.pid), t.comm.string_().decode(errors="replace"))
    c = task_state_to_char(t)
    print("STATE", int(t.pid), CRASH_ST.get(c, c))
for m in list_for_each_entry("struct module", prog["modules"].address_of_(),
                             "list"):
    try:
        base = m.mem[0].base.value_()
    except (AttributeError, LookupError):
        base = m.core_layout.base.value_()
    print("MOD", m.name.string_().decode(), hex(base))
try:
    tk = prog["tk_core"].timekeeper
except KeyError:
    tk = prog["timekeeper_data"][0].timekeeper
print("XTIME", int(tk.xtime_sec))
recs = get_printk_records(prog)
print("LOG", len(recs))
print("LOGLAST", recs[-1].text.decode(errors="replace"))

# the idle tasks (not on the list) through each CPU's runqueue
idle = [per_cpu(prog["runqueues"], c).idle
        for c in range(int(prog["nr_cpu_ids"]))]
for t in tasks + idle:
    try:
        pcs, last_sp = [], None
        for f in prog.stack_trace(t):
            if pcs and pcs[-1] == f.pc and f.sp == last_sp:
                continue
            if f.pc < 0xFFFF800000000000:
                break  # on through the entry pt_regs into user space (5.10)
            pcs.append(f.pc)
            last_sp = f.sp
        print("BT", int(t.pid), hex(t.value_()), " ".join(hex(p) for p in pcs))
    except Exception as e:  # noqa: BLE001 - reported, not hidden
        print("BTERR", int(t.pid), hex(t.value_()), e)
