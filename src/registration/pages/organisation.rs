//! Step 1: the organisation.
use super::super::api::SaveOrganisation;
use super::super::catalog::{INDUSTRIES, PROVINCES, SIZE_BANDS};
use super::super::{Application, Step};
use super::*;
use crate::error::Code;
use crate::i18n::*;
use crate::ui::{Field, FormError, field_code, last_error, text};
use leptos::form::ActionForm;
use leptos::prelude::*;

/// Step 1: the organisation.
#[component]
pub fn OrganisationStepPage() -> impl IntoView {
    let i18n = use_i18n();
    let action = ServerAction::<SaveOrganisation>::new();
    let error = last_error(action);
    let reload = Signal::derive(move || action.version().get());
    view! {
        <WizardFrame step=Step::Organisation>
            <Editable
                reload
                view=move |a: Application| {
                    let code_error = field_code(error, "credit_code");
                    // The confirmation box appears once the server asked for it,
                    // or when the saved code was already confirmed.
                    let ask_confirm = {
                        let confirmed = a.credit_code_confirmed;
                        move || {
                            confirmed
                                || code_error.get() == Some(Code::CreditCodeChecksumConfirm)
                        }
                    };
                    let confirmed = a.credit_code_confirmed;
                    view! {
                        <ActionForm action=action>
                            <FormError error />
                            <Field
                                name="org_name"
                                label=text!(i18n, register.org_name)
                                hint=text!(i18n, register.org_name_hint)
                                value=a.org_name.clone()
                                maxlength=128
                                autofocus=true
                                autocomplete="organization"
                                error=field_code(error, "org_name")
                            />
                            <Field
                                name="credit_code"
                                label=text!(i18n, register.credit_code)
                                hint=text!(i18n, register.credit_code_hint)
                                value=a.credit_code.clone()
                                maxlength=24
                                error=code_error
                            />
                            <Show when=ask_confirm>
                                <label class="check">
                                    <input
                                        type="checkbox"
                                        name="confirm_checksum"
                                        value="yes"
                                        checked=confirmed
                                    />
                                    <span>{t!(i18n, register.confirm_checksum)}</span>
                                </label>
                            </Show>
                            <Choice
                                name="industry"
                                label=text!(i18n, register.industry)
                                list=INDUSTRIES
                                selected=a.industry.clone()
                                error=field_code(error, "industry")
                            />
                            <Choice
                                name="size_band"
                                label=text!(i18n, register.size_band)
                                list=SIZE_BANDS
                                selected=a.size_band.clone()
                                error=field_code(error, "size_band")
                            />
                            <div class="field-row">
                                <Choice
                                    name="province"
                                    label=text!(i18n, register.province)
                                    list=PROVINCES
                                    selected=a.province.clone()
                                    error=field_code(error, "province")
                                />
                                <Field
                                    name="city"
                                    label=text!(i18n, register.city)
                                    value=a.city.clone()
                                    maxlength=64
                                    autocomplete="address-level2"
                                    error=field_code(error, "city")
                                />
                            </div>
                            <Field
                                name="address"
                                label=text!(i18n, register.address)
                                value=a.address.clone()
                                maxlength=200
                                autocomplete="street-address"
                                error=field_code(error, "address")
                            />
                            <StepButtons step=Step::Organisation pending=action.pending() />
                        </ActionForm>
                    }
                }
            />
        </WizardFrame>
    }
}
