// Create or edit one of your own exercises.
import { html, useEffect, useState } from "../html.js";
import * as api from "../api.js";
import { Field, Message, Page, Select } from "../components/ui.js";
import { navigate } from "../router.js";
import { errorMessage, t } from "../strings.js";
import { history, keepExercise } from "../stores/history.js";
import { useStore } from "../stores/store.js";

const MODALITIES = ["BARBELL", "DUMBBELL", "CABLE", "MACHINE", "BODYWEIGHT"];

/** @param {{ id?: string }} props */
export function ExerciseForm({ id }) {
  const { exercises } = useStore(history);
  const existing = id ? exercises.find((e) => e.id === id) : undefined;
  const [values, setValues] = useState({ name: "", body_part: "", modality: "BARBELL", description: "" });
  const [error, setError] = useState("");
  useEffect(() => {
    if (existing) setValues({ name: existing.name, body_part: existing.body_part, modality: existing.modality, description: existing.description || "" });
  }, [existing?.id]);
  /** @param {SubmitEvent} event */
  const submit = async (event) => {
    event.preventDefault();
    try {
      const body = { ...values, description: values.description.trim() || null };
      const answer = id
        ? await api.request("PATCH", `/exercises/${id}`, { body })
        : await api.request("POST", "/exercises", { body });
      await keepExercise(answer.data);
      navigate(`/exercises/${answer.data.id}`);
    } catch (problem) {
      setError(errorMessage(problem));
    }
  };
  /** @param {string} key */
  const bind = (key) => ({
    value: /** @type {any} */ (values)[key],
    onInput: (/** @type {any} */ e) => setValues({ ...values, [key]: e.target.value }),
  });
  return html`<${Page} title=${id ? t.editExercise : t.newExercise} back=${id ? `/exercises/${id}` : "/exercises"}>
    <form class="stack" onSubmit=${submit}>
      <${Field} label=${t.name} required maxlength="100" ...${bind("name")} />
      <${Field} label=${t.bodyPart} required maxlength="50" ...${bind("body_part")} />
      <${Select} label=${t.modality} value=${values.modality}
        options=${MODALITIES.map((m) => [m, m.charAt(0) + m.slice(1).toLowerCase()])}
        onChange=${(/** @type {string} */ modality) => setValues({ ...values, modality })} />
      <${Field} label=${t.description} maxlength="2000" ...${bind("description")} />
      <${Message} kind="error">${error}<//>
      <button class="button primary wide" type="submit">${t.save}</button>
    </form>
  <//>`;
}
