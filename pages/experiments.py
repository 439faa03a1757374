"""Experiments: sweep one training setting over several seeds and plot AUC against it."""

import streamlit as st

from anomagram.ui.common import state
from anomagram.ui.experiments import form, results, run
from anomagram.ui.experiments import state as exp_state
from anomagram.ui.streamlit_patches import require_app_shell

require_app_shell()
exp_state.init_state()
exp_state.note_interruption()

st.title("🧪 Experiments")
st.markdown(
    "Training involves chance: the random starting weights and which beats land in the "
    "training set. One run can mislead, so here the app trains many models for you: it varies "
    "one setting, repeats each value with several seeds, and plots the mean AUC with its "
    "spread next to a simple PCA baseline."
)
form.apply_link()
form.show_link_note()
plan = form.form(state.get_spec())

# Fixed slots: while a sweep runs, the previous results must not linger below it.
run_slot, results_slot = st.empty(), st.empty()
job = exp_state.job()
if plan.run_clicked:
    job = exp_state.new_job(plan.param, plan.values, plan.seeds, plan.base)
    form.write_link(plan.param, plan.values, plan.seeds)
    run.run(job, run_slot)
elif job is not None and job.status == "interrupted" and st.session_state.get(exp_state.CONTINUE):
    run.run(job, run_slot)

with results_slot.container():
    if job is None:
        results.placeholder()
    else:
        results.results(job)
