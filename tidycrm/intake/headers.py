"""Header names that mean each import target, in several languages and CRM export formats.

Compared after `mapping.normalise_header`; "|" separates the names of one target.
"""

SYNONYMS: dict[str, str] = {
    "external_id": (
        "external id|externalid|external_id|id|record id|contact id|object id|hubspot id|"
        "person - id|person id|crm id|customer id|customer number|kundennummer|kunden-nr|"
        "müşteri no|müşteri numarası|identifiant|id externe|id cliente|número de cliente|"
        "고객번호|고객 id"
    ),
    "given_name": (
        "first name|firstname|first_name|given name|given_name|forename|"
        "person - first name|vorname|ad|adı|isim|prénom|prenom|nombre|이름"
    ),
    "family_name": (
        "last name|lastname|last_name|surname|family name|family_name|person - last name|"
        "nachname|familienname|soyad|soyadı|soyisim|nom|nom de famille|apellido|"
        "apellidos|성"
    ),
    "middle_name": (
        "middle name|middle_name|additional name|zweiter vorname|ikinci ad|"
        "deuxième prénom|segundo nombre"
    ),
    "name": (
        "name|full name|fullname|contact name|display name|person - name|person name|"
        "ad soyad|adı soyadı|ad soyadı|nom complet|nombre completo|vollständiger name|성명|"
        "전체 이름"
    ),
    "honorific": (
        "salutation|honorific|name prefix|prefix|anrede|hitap|unvan (hitap)|civilité|"
        "tratamiento|호칭"
    ),
    "suffix": "suffix|name suffix|namenszusatz",
    "email": (
        "email|e-mail|e mail|mail|email address|e-mail address|emailaddress|"
        "e-mail 1 - value|email 1|primary email|work email|business email|person - email|"
        "person - email - work|e-mail-adresse|e-mail adresse|e-posta|eposta|"
        "e-posta adresi|courriel|adresse e-mail|adresse email|correo|correo electrónico|"
        "email principal|이메일|이메일 주소|전자우편|메일"
    ),
    "email_2": (
        "e-mail 2 - value|e-mail 2 address|email 2|secondary email|other email|"
        "home email|personal email|person - email - home|private e-mail|e-mail (privat)|"
        "e-posta 2|ikinci e-posta|email secundario|이메일 2"
    ),
    "phone": (
        "phone|phone number|telephone|tel|phone 1 - value|primary phone|person - phone|"
        "telefon|telefonnummer|telefon numarası|téléphone|teléfono|telefono|전화|전화번호"
    ),
    "phone_2": "phone 2 - value|phone 2|other phone|other phone number",
    "mobile": (
        "mobile|mobile phone|mobile number|mobile phone number|cell|cell phone|cellphone|"
        "person - phone - mobile|handy|mobiltelefon|mobilnummer|cep|cep telefonu|gsm|"
        "portable|téléphone portable|móvil|movil|celular|휴대폰|핸드폰|휴대전화|휴대폰 번호"
    ),
    "work_phone": (
        "business phone|work phone|office phone|person - phone - work|"
        "telefon (geschäftlich)|telefon geschäftlich|iş telefonu|téléphone travail|"
        "téléphone professionnel|teléfono del trabajo|회사 전화"
    ),
    "home_phone": (
        "home phone|person - phone - home|telefon (privat)|ev telefonu|"
        "téléphone domicile|teléfono de casa|집 전화"
    ),
    "street": (
        "street|street address|address|address line 1|address 1 - street|mailing street|"
        "business street|home street|mailing address|billing street|straße|strasse|"
        "anschrift|adres|adresse|rue|calle|dirección|direccion|주소|도로명 주소"
    ),
    "city": (
        "city|town|locality|address 1 - city|mailing city|business city|home city|stadt|"
        "ort|şehir|sehir|il|ville|ciudad|localidad|도시|시"
    ),
    "region": (
        "state|region|province|state/province|state/region|county|address 1 - region|"
        "mailing state|mailing state/province|business state|home state|bundesland|"
        "eyalet|bölge|région|provincia|estado|시/도|도"
    ),
    "postal_code": (
        "zip|zip code|zipcode|postal code|postcode|post code|address 1 - postal code|"
        "mailing zip|mailing zip/postal code|mailing postal code|business postal code|"
        "home postal code|plz|postleitzahl|posta kodu|code postal|código postal|"
        "codigo postal|cp|우편번호"
    ),
    "country": (
        "country|country/region|country code|address 1 - country|mailing country|"
        "business country/region|business country|home country/region|land|ülke|ulke|"
        "pays|país|pais|국가|나라"
    ),
    "company": (
        "company|company name|account name|account|organization|organisation|"
        "organization name|organization 1 - name|organization - name|"
        "person - organization|associated company|employer|firma|firmenname|unternehmen|"
        "şirket|şirket adı|firma adı|kurum|entreprise|société|societe|empresa|compañía|"
        "회사|회사명|직장"
    ),
    "job_title": (
        "job title|job_title|title|position|role|organization 1 - title|designation|"
        "berufsbezeichnung|jobtitel|titel|unvan|görev|pozisyon|poste|fonction|titre|"
        "cargo|puesto|직함|직책|직위"
    ),
    "department": (
        "department|organization 1 - department|abteilung|departman|bölüm|département|"
        "service|departamento|부서"
    ),
    "industry": "industry|branche|sektör|secteur|industria|sector|업종",
    "notes": (
        "notes|note|description|comments|comment|bemerkung|bemerkungen|notizen|notlar|"
        "not|açıklama|remarques|commentaires|notas|메모|비고"
    ),
    "tags": (
        "tags|tag|labels|group membership|schlagwörter|schlagworte|etiketler|etiquettes|"
        "etiquetas|태그"
    ),
    "lifecycle_stage": "lifecycle stage|lifecycle|lifecyclestage",
    "lead_status": "lead status|hs_lead_status",
    "lead_source": "lead source|leadsource",
    "birthday": (
        "birthday|birthdate|date of birth|dob|geburtstag|geburtsdatum|doğum tarihi|"
        "date de naissance|fecha de nacimiento|생일|생년월일"
    ),
    "language": "language|preferred language|sprache|dil|langue|idioma|언어",
    "linkedin": "linkedin|linkedin url|linkedin profile|linkedin bio",
    "interests": "interests|interessen|ilgi alanları|intérêts|intereses|관심사",
}
