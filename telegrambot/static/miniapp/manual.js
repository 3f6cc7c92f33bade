// A manual product's checkout questions (staff deliver such a product by hand): asked on a screen of their own
// before the confirmation or the invoice, for Buy now, Pay with Stars and the cart alike. The answers go with the
// request as the API expects them, {product id: [answer, …]} in question order; the server checks them, and its
// refusal (an empty or too long answer) is shown under the form, which stays filled in to be corrected.
(() => {
  "use strict";
  const S = window.Shop;
  const { t, el } = S;
  // The server's refusals of the answers themselves: shown on the form. Anything else is the screen's error.
  const REFUSED = ["InvalidInput", "AnswersNeeded"];

  // `names` maps a product id to its name (a cart asks for several); `send(answers)` makes the request and goes on.
  function askQuestions(questions, names, send) {
    const inputs = questions.map((question, index) => el("input", {
      id: `answer-${index}`, name: `answer-${index}`, maxlength: String(question.max_length),
      autocomplete: "off", "aria-label": question.label,
    }));
    const problem = el("div", { class: "problem", id: "answers-problem", role: "alert", hidden: true });
    const submit = () => S.once(() => sendAnswers(questions, inputs, problem, send));
    const groups = [];
    questions.forEach((question, index) => {
      const product = question.product_id;
      const first = index === 0 || questions[index - 1].product_id !== product;
      if (first) groups.push(el("fieldset", { "data-questions": product }, el("legend", {}, names[product] || "")));
      groups[groups.length - 1].append(el("label", { class: "question", for: inputs[index].id },
        el("span", {}, question.label), el("span", { class: "muted" }, t("answerMax", { maximum: question.max_length }))), inputs[index]);
    });
    const form = el("form", { id: "answers-form", class: "answers-form", oninput: () => { problem.hidden = true; }, onsubmit: (event) => { event.preventDefault(); submit(); } },
      groups, problem, el("button", { type: "submit", hidden: true }));
    S.show(el("h1", {}, t("questionsTitle")), el("p", { class: "muted" }, t("questionsIntro")), form,
      el("div", { class: "actions" }, el("button", { class: "secondary", type: "button", id: "answers-cancel", onclick: () => S.route() }, t("cancelAnswers"))));
    S.setMainButton(t("continue"), submit);
    if (inputs.length) inputs[0].focus();
  }

  async function sendAnswers(questions, inputs, problem, send) {
    const answers = {};
    questions.forEach((question, index) => {
      const key = String(question.product_id);
      (answers[key] = answers[key] || []).push(inputs[index].value);
    });
    problem.hidden = true;
    try {
      await send(answers);
    } catch (error) {
      if (!REFUSED.includes(error.code)) throw error;
      S.haptic("error");
      problem.textContent = error.message;
      problem.hidden = false;
    }
  }

  // Ask first when the product (or a cart line's) has questions; `send(answers)` without any when none.
  function withAnswers(questions, names, send) {
    if (questions && questions.length) { askQuestions(questions, names, send); return null; }
    return send(undefined);
  }

  Object.assign(S, { withAnswers });
})();
