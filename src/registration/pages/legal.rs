//! Step 3: the legal representative.
use super::super::api::SaveLegal;
use super::super::{Application, Step};
use super::*;
use crate::i18n::*;
use crate::ui::{Field, FormError, field_code, last_error, text};
use leptos::form::ActionForm;
use leptos::prelude::*;

/// Step 3: the legal representative.
#[component]
pub fn LegalStepPage() -> impl IntoView {
    let i18n = use_i18n();
    let action = ServerAction::<SaveLegal>::new();
    let error = last_error(action);
    let reload = Signal::derive(move || action.version().get());
    view! {
        <WizardFrame step=Step::Legal>
            <Editable
                reload
                view=move |a: Application| {
                    view! {
                        <p class="page__lead">{t!(i18n, register.legal_lead)}</p>
                        <ActionForm action=action>
                            <FormError error />
                            <label class="check">
                                <input
                                    type="checkbox"
                                    name="admin_is_legal"
                                    value="yes"
                                    checked=a.admin_is_legal
                                />
                                <span>{t!(i18n, register.admin_is_legal)}</span>
                            </label>
                            <Field
                                name="legal_name"
                                label=text!(i18n, register.legal_name)
                                hint=text!(i18n, register.legal_name_hint)
                                value=a.legal_name.clone()
                                required=false
                                maxlength=64
                                error=field_code(error, "legal_name")
                            />
                            <Field
                                name="legal_id_number"
                                label=text!(i18n, register.legal_id_number)
                                hint=text!(i18n, register.legal_id_number_hint)
                                value=a.legal_id_number.clone()
                                maxlength=18
                                error=field_code(error, "legal_id_number")
                            />
                            <StepButtons step=Step::Legal pending=action.pending() />
                        </ActionForm>
                    }
                }
            />
        </WizardFrame>
    }
}
