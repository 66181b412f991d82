// My account (我的账号): change my password; afterwards every session ends, this one too.
import { api } from "./api.js";
import { h, replace } from "./dom.js";
import { t } from "./i18n.js";

function passwordField(label, name, autocomplete) {
  return h("label.field", h("span", label),
    h("input", { type: "password", name, autocomplete, required: true, minlength: name === "current" ? 1 : 10 }));
}

/**
 * The panel; ``onChanged()`` runs after a successful change (the caller signs out).
 * ``expectSignOut(true)`` runs before the request: the server ends every session at once,
 * so the live stream may report the sign-out before the answer arrives.
 */
export function accountPanel({ user, onChanged, expectSignOut = () => {} }) {
  return {
    tabOf: null,
    render(body) {
      const message = h("p.form-message", { role: "alert", hidden: true });
      const form = h("form.account-form", { "data-testid": "password-form", autocomplete: "on" },
        passwordField(t("account.current_password"), "current", "current-password"),
        passwordField(t("account.new_password"), "next", "new-password"),
        passwordField(t("account.repeat_password"), "repeat", "new-password"),
        h("p.panel-lead", t("account.password_rule")),
        message,
        h("button.btn.btn-primary.btn-block", { type: "submit" }, t("account.submit")));
      form.addEventListener("submit", async (event) => {
        event.preventDefault();
        const data = new FormData(form);
        message.hidden = true;
        if (data.get("next") !== data.get("repeat")) {
          message.textContent = t("account.mismatch");
          message.hidden = false;
          return;
        }
        expectSignOut(true);
        try {
          await api("/auth/password", { method: "POST",
            json: { current_password: data.get("current"), new_password: data.get("next") } });
          onChanged();
        } catch (error) {
          expectSignOut(false);
          message.textContent = error.display || String(error);
          message.hidden = false;
        }
      });
      replace(body, h("div.account-panel", { "data-view": "account" },
        h("header.panel-head", h("h2.panel-title", t("account.title"))),
        h("p.panel-lead", `${user.display_name} · ${user.username}`),
        h("h3.section-title.account-heading", t("account.change_password")),
        form));
    },
  };
}
